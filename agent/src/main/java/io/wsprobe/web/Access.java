package io.wsprobe.web;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.Map;

/**
 * The web config's rules for every request, health endpoints included (as in exporter-toolkit):
 * its extra headers on each answer, and with {@code basic_auth_users} a {@code 401} with
 * {@code WWW-Authenticate: Basic} unless the request names a user and its password. The rules
 * are swapped whole on reload; a request in flight keeps those it started with.
 */
final class Access implements Handler<HttpServerRequest> {

  /** @param auth null: no authentication */
  record Rules(Map<String, String> headers, BasicAuth auth) {
    static final Rules OPEN = new Rules(Map.of(), null);
  }

  private final Handler<HttpServerRequest> next;
  private volatile Rules rules = Rules.OPEN;

  Access(Handler<HttpServerRequest> next) {
    this.next = next;
  }

  void rules(Rules rules) {
    this.rules = rules;
  }

  /** The configured extra headers, on any answer. */
  void headers(HttpServerResponse response) {
    rules.headers().forEach(response::putHeader);
  }

  @Override
  public void handle(HttpServerRequest req) {
    Rules now = rules;
    if (now.auth() == null) {
      next.handle(req);
      return;
    }
    now.auth().check(req.getHeader("Authorization")).onComplete(checked -> {
      if (checked.succeeded() && checked.result()) {
        next.handle(req);
      } else {
        // the same answer for an unknown user, a wrong password and no credentials at all
        req.response().putHeader("WWW-Authenticate", "Basic");
        RequestHygiene.text(req.response(), 401, "Unauthorized\n");
      }
    });
  }
}
