package io.wsprobe.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An Alertmanager webhook receiver: keeps every notification POSTed to it. */
public final class WebhookReceiver {

  private final List<JsonObject> notifications = new CopyOnWriteArrayList<>();
  private final HttpServer server;

  private WebhookReceiver(Vertx vertx) {
    server = vertx.createHttpServer().requestHandler(req -> {
      if (req.method() != HttpMethod.POST) {
        req.response().setStatusCode(405).end();
        return;
      }
      req.body().onSuccess(body -> {
        try {
          notifications.add(new JsonObject(body));
          req.response().setStatusCode(200).end();
        } catch (RuntimeException notJson) {
          req.response().setStatusCode(400).end(notJson.getMessage());
        }
      }).onFailure(e -> req.response().setStatusCode(400).end());
    }).listen(0, "127.0.0.1").await();
  }

  public static WebhookReceiver start(Vertx vertx) {
    return new WebhookReceiver(vertx);
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/alerts";
  }

  /** The notifications received so far, oldest first. */
  public List<JsonObject> notifications() {
    return List.copyOf(notifications);
  }
}
