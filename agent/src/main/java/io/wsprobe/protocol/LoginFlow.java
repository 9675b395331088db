package io.wsprobe.protocol;

import io.vertx.core.Future;
import io.wsprobe.config.Module;

/**
 * A login an app needs before its sockets accept a probe ({@code auth.type}): done over HTTP,
 * it yields what the probe then sends (a cookie, a token), as secrets the probe hides. One
 * instance serves every target; implementations cache what they can.
 */
public interface LoginFlow {

  /** What a login gave: the module to probe with, and the dialects that carry its token. */
  record Login(Module module, java.util.function.Supplier<Dialect> dialects) {}

  /** The login refused or failed; {@code status} is the HTTP status that said so, 0 when none came. */
  class LoginException extends RuntimeException {
    private final int status;

    public LoginException(int status, String message) {
      super(message);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  /** The flow's name in traces and details ("docmost"). */
  String name();

  /** Logs in (or uses what an earlier login cached), every request bounded by {@code timeoutMillis}. */
  Future<Login> login(Module module, long timeoutMillis);

  /** The app refused what the login gave: log in again next time. */
  void invalidate(Module.Auth auth);

  void close();
}
