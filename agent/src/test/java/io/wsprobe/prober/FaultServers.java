package io.wsprobe.prober;

import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import io.wsprobe.support.TestCerts;

/**
 * In-process servers on loopback for the prober's tests: well-behaved Vert.x WebSocket servers,
 * and raw TCP servers that read the upgrade request and then misbehave byte by byte. Everything
 * runs on the test's {@link Vertx}, so closing it closes them all.
 */
public final class FaultServers {

  public static final String LOOPBACK = "127.0.0.1";

  private final Vertx vertx;

  public FaultServers(Vertx vertx) {
    this.vertx = vertx;
  }

  // ---------------------------------------------------------------- Vert.x HTTP servers

  /** A WebSocket server on {@code host}; plain HTTP requests get 404. Returns its port. */
  public int webSocket(String host, Handler<ServerWebSocket> handler) {
    return vertx.createHttpServer()
        .webSocketHandler(handler)
        .requestHandler(r -> r.response().setStatusCode(404).end())
        .listen(0, host).await().actualPort();
  }

  public int webSocket(Handler<ServerWebSocket> handler) {
    return webSocket(LOOPBACK, handler);
  }

  /** A wss server presenting {@code cert} (without its CA). */
  public int tlsWebSocket(TestCerts.Issued cert, Handler<ServerWebSocket> handler) {
    HttpServerOptions options = new HttpServerOptions().setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions()
            .setCertPath(cert.certPem().toString())
            .setKeyPath(cert.keyPem().toString()));
    return vertx.createHttpServer(options)
        .webSocketHandler(handler)
        .listen(0, LOOPBACK).await().actualPort();
  }

  /** A plain HTTP server: every request, upgrade or not, goes to {@code handler}. */
  public int http(Handler<HttpServerRequest> handler) {
    return vertx.createHttpServer().requestHandler(handler).listen(0, LOOPBACK).await().actualPort();
  }

  /** Echoes text as text and binary as binary. */
  public static Handler<ServerWebSocket> echo() {
    return ws -> {
      ws.textMessageHandler(ws::writeTextMessage);
      ws.binaryMessageHandler(ws::writeBinaryMessage);
    };
  }

  // ---------------------------------------------------------------- raw TCP servers

  /** What a raw server does once it has read the head of the upgrade request. */
  public interface Script {
    void onRequest(Request request);
  }

  /**
   * One connection of a raw server, after the request head.
   *
   * @param head the request head as text, up to and including the blank line
   */
  public record Request(NetSocket socket, String head, Map<String, String> headers, Connection connection) {

    /** The correct {@code Sec-WebSocket-Accept} for this request's key. */
    public String accept() {
      try {
        return UpgradeHandler.expectedAccept(headers.get("sec-websocket-key"));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    public void write(String ascii) {
      socket.write(Buffer.buffer(ascii.getBytes(StandardCharsets.ISO_8859_1)));
    }

    public void write(byte[] bytes) {
      socket.write(Buffer.buffer(bytes));
    }

    /** Bytes the client sends after the request head (WebSocket frames, once upgraded). */
    public void onData(Handler<Buffer> handler) {
      connection.afterHead = handler;
    }

    /** Runs when this connection is closed, by either side. */
    public void onClose(Runnable action) {
      connection.closed.future().onComplete(v -> action.run());
    }

    public boolean closed() {
      return connection.closed.future().isComplete();
    }
  }

  /** Per-connection state of a raw server. */
  public static final class Connection {
    private final Promise<Void> closed = Promise.promise();
    private Handler<Buffer> afterHead;
    private Buffer head = Buffer.buffer();
    private boolean headDone;
  }

  /**
   * A started raw server.
   *
   * @param closed completes when the server sees a connection closed (by either side): the
   *               socket was released
   */
  public record Raw(int port, CompletableFuture<Void> closed) {}

  public Raw raw(Script script) {
    return raw(false, script);
  }

  /**
   * @param resetOnClose close with SO_LINGER 0, so closing sends a TCP RST instead of a FIN
   */
  public Raw raw(boolean resetOnClose, Script script) {
    CompletableFuture<Void> anyClosed = new CompletableFuture<>();
    NetServerOptions options = new NetServerOptions();
    if (resetOnClose) {
      options.setSoLinger(0);
    }
    int port = vertx.createNetServer(options).connectHandler(socket -> {
      Connection c = new Connection();
      socket.closeHandler(v -> {
        c.closed.tryComplete();
        anyClosed.complete(null);
      });
      socket.handler(data -> {
        if (c.headDone) {
          if (c.afterHead != null) {
            c.afterHead.handle(data);
          }
          return;
        }
        c.head.appendBuffer(data);
        String text = c.head.toString(StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
          return;
        }
        c.headDone = true;
        String head = text.substring(0, end + 4);
        script.onRequest(new Request(socket, head, headers(head), c));
        if (text.length() > end + 4 && c.afterHead != null) {
          c.afterHead.handle(c.head.getBuffer(end + 4, c.head.length()));
        }
        c.head = null;
      });
    }).listen(0, LOOPBACK).await().actualPort();
    return new Raw(port, anyClosed);
  }

  /**
   * A TCP server that answers the first bytes of each connection (a ClientHello, say) with
   * {@code reply}, then closes it. Returns its port.
   */
  public int replying(byte[] reply) {
    return vertx.createNetServer().connectHandler(socket -> socket.handler(data ->
        socket.write(Buffer.buffer(reply)).onComplete(v -> socket.close())))
        .listen(0, LOOPBACK).await().actualPort();
  }

  /** A TLS fatal alert record (TLS 1.2 framing), as a server that refuses the handshake sends it. */
  public static byte[] tlsAlert(int description) {
    return new byte[] {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, (byte) description};
  }

  private static Map<String, String> headers(String head) {
    Map<String, String> out = new LinkedHashMap<>();
    String[] lines = head.split("\r\n");
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        out.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
      }
    }
    return out;
  }

  /** A 101 answer with the given accept value and extra header lines. */
  public static String switching(String accept, String... extraHeaders) {
    StringBuilder out = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\n"
        + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + accept + "\r\n");
    for (String h : extraHeaders) {
      out.append(h).append("\r\n");
    }
    return out.append("\r\n").toString();
  }

  /**
   * The header of an unmasked server-to-client binary frame announcing {@code length} payload
   * bytes (64-bit length form).
   */
  public static byte[] binaryFrameHeader(long length) {
    byte[] h = new byte[10];
    h[0] = (byte) 0x82; // FIN + binary
    h[1] = 127;         // 64-bit extended length follows
    for (int i = 0; i < 8; i++) {
      h[2 + i] = (byte) (length >>> (56 - 8 * i));
    }
    return h;
  }
}
