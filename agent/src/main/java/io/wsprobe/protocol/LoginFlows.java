package io.wsprobe.protocol;

import io.vertx.core.Vertx;
import java.util.Map;

/** The table from {@code auth.type} to its login flow; a new flow is added here. */
public final class LoginFlows {

  private LoginFlows() {}

  /** One instance of each flow, for one prober: they hold HTTP clients and token caches. */
  public static Map<String, LoginFlow> of(Vertx vertx) {
    DocmostAuth docmost = new DocmostAuth(vertx);
    return Map.of(docmost.name(), docmost);
  }
}
