package io.wsprobe.web;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.wsprobe.cli.Agent;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.support.AppServer;
import io.wsprobe.support.SlowUpgradeServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * The web port as a hostile client meets it: exact bytes over raw loopback sockets, every
 * response checked for what it must and must not do (serve a smuggled request, reload for
 * another site, keep a slow connection forever, log an error, start probes past the limit).
 */
class WebServerTest {

  /** The smuggled request: if the agent ever serves it, the config is loaded again. */
  static final String SMUGGLED = "POST /-/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n";

  @TempDir Path dir;
  Vertx vertx;
  HttpServer app;
  SlowUpgradeServer slow;
  Agent agent;
  final AtomicInteger loads = new AtomicInteger();
  final HttpClient http = HttpClient.newHttpClient();
  final Errors errors = new Errors();
  final List<WebServer> extra = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    app = AppServer.start(vertx);
    slow = SlowUpgradeServer.start(vertx, Duration.ofMillis(1500));
    Path file = dir.resolve("wsprobe.yml");
    // an hour's interval: the scheduled probes of these names come 12 and 47 minutes after the
    // start, so every probe a test sees is one it asked for
    Files.writeString(file, """
        global: { interval: 1h, timeout: 5s, max_concurrent_probes: 2 }
        targets:
          - { name: app, url: "ws://127.0.0.1:%d/collab" }
          - { name: slow, url: "ws://127.0.0.1:%d/held" }
        """.formatted(app.actualPort(), slow.port()));
    agent = new Agent(vertx, () -> {
      loads.incrementAndGet();
      return ConfigLoader.load(file);
    }, "127.0.0.1:0", null);
    agent.start().await();
    errors.attach();
  }

  @AfterEach
  void stop() {
    errors.detach();
    extra.forEach(w -> w.close().await());
    agent.stop().await();
    slow.close();
    vertx.close().await();
  }

  /** Another web server on the same agent, with its own limits. */
  int serve(WebServer.Limits limits) {
    WebServer w = new WebServer(vertx, agent.endpoints(), limits);
    extra.add(w);
    return w.listen("127.0.0.1:0").await();
  }

  HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Nested
  class RequestFraming {

    @ParameterizedTest
    @ValueSource(strings = {
        // RFC 9112 §6.1: both lengths at once is how a body hides a request from one of two parsers
        "Content-Length: %d\r\nTransfer-Encoding: chunked\r\n",
        "Transfer-Encoding: chunked\r\nContent-Length: %d\r\n",
        "Content-Length: %d\r\nTransfer-Encoding: xchunked\r\n",
        // §6.3: a request whose final coding is not chunked has no length a server can trust
        "Transfer-Encoding: xchunked\r\n",
        "Transfer-Encoding: chunked, identity\r\n",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n",
        "Transfer-Encoding: chunked, chunked\r\n",
        // Netty refused these already (and a space before the colon): kept as guards
        "Content-Length: %d\r\nContent-Length: %<d\r\n",
        "Content-Length: %d, %<d\r\n",
        "Content-Length: +%d\r\n",
        "Content-Length: -1\r\n",
        "Transfer-Encoding : chunked\r\nContent-Length: %d\r\n",
        // both lengths dressed up: a folded line, a tab, the case
        "Transfer-Encoding: identity\r\n chunked\r\nContent-Length: %d\r\n",
        "Transfer-Encoding:\tchunked\r\nContent-Length: %d\r\n",
        "transfer-encoding: CHUNKED\r\ncontent-length: %d\r\n",
    })
    void aBodyOfUncertainLengthIsRefusedAndTheConnectionClosed(String framing) throws Exception {
      String body = "0\r\n\r\n" + SMUGGLED;
      String head = "POST /-/healthy HTTP/1.1\r\nHost: x\r\n" + framing.formatted(body.length()) + "\r\n";
      int before = loads.get();
      try (Raw raw = new Raw(agent.port())) {
        String answer = raw.send(head + body).readToClose();
        assertThat(answer).startsWith("HTTP/1.1 400 ").doesNotContain("Reloaded");
      }
      assertThat(loads.get()).as("the smuggled reload never ran").isEqualTo(before);
    }

    @Test
    void anHttp10RequestWithTransferEncodingIsRefused() throws Exception {
      try (Raw raw = new Raw(agent.port())) {
        assertThat(raw.send("POST /-/healthy HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
            + SMUGGLED).readToClose()).startsWith("HTTP/1.0 400 ").doesNotContain("Reloaded");
      }
    }

    /** A guard: passed before too. */
    @Test
    void aPlainChunkedBodyIsStillFine() throws Exception {
      try (Raw raw = new Raw(agent.port())) {
        assertThat(raw.send("POST /-/reload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            + "Connection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n").readToClose())
            .startsWith("HTTP/1.1 200 ").contains("Reloaded: 2 targets.");
      }
    }
  }

  @Nested
  class Reload {

    String reload(String method, String headers) throws Exception {
      try (Raw raw = new Raw(agent.port())) {
        return raw.send(method + " /-/reload HTTP/1.1\r\nHost: 127.0.0.1:" + agent.port() + "\r\n"
            + headers + "Content-Length: 0\r\nConnection: close\r\n\r\n").readToClose();
      }
    }

    @Test
    void onlyPostReloads() throws Exception {
      int before = loads.get();
      for (String method : List.of("PUT", "GET", "DELETE", "PATCH")) {
        assertThat(reload(method, "")).as(method).startsWith("HTTP/1.1 405 ")
            .containsIgnoringCase("\r\nAllow: POST\r\n");
      }
      assertThat(loads.get()).isEqualTo(before);
    }

    @Test
    void aCrossSiteBrowserRequestIsRefused() throws Exception {
      int before = loads.get();
      String form = "Content-Type: application/x-www-form-urlencoded\r\n";
      assertThat(reload("POST", "Origin: http://evil.example\r\n" + form)).startsWith("HTTP/1.1 403 ")
          .contains("Origin http://evil.example");
      assertThat(reload("POST", "Origin: http://127.0.0.1:1\r\n")).startsWith("HTTP/1.1 403 ");
      assertThat(reload("POST", "Origin: null\r\n")).startsWith("HTTP/1.1 403 ");
      assertThat(reload("POST", "Sec-Fetch-Site: cross-site\r\n" + form)).startsWith("HTTP/1.1 403 ")
          .contains("Sec-Fetch-Site: cross-site");
      assertThat(reload("POST", "Sec-Fetch-Site: same-site\r\n")).startsWith("HTTP/1.1 403 ");
      assertThat(loads.get()).isEqualTo(before);
    }

    /** A guard: passed before too. */
    @Test
    void curlAndTheAgentsOwnPagesStillReload() throws Exception {
      int before = loads.get();
      assertThat(reload("POST", "")).startsWith("HTTP/1.1 200 ");
      assertThat(reload("POST", "Origin: http://127.0.0.1:" + agent.port() + "\r\n"
          + "Sec-Fetch-Site: same-origin\r\n")).startsWith("HTTP/1.1 200 ");
      assertThat(reload("POST", "Sec-Fetch-Site: none\r\n")).startsWith("HTTP/1.1 200 ");
      assertThat(loads.get()).isEqualTo(before + 3);
    }
  }

  @Nested
  class SlowClients {

    @Test
    void aTrickledRequestHeadIsCutAtTheRequestTimeout() throws Exception {
      int port = serve(new WebServer.Limits(Duration.ofMillis(500), Duration.ofSeconds(30), 16));
      try (Raw raw = new Raw(port)) {
        raw.send("GET /metrics HTTP/1.1\r\n");
        // a header byte every 50 ms: never idle, never complete
        long start = System.nanoTime();
        boolean closed = false;
        try {
          for (int i = 0; i < 100 && !closed; i++) {
            raw.send("X");
            Thread.sleep(50);
            closed = raw.closedNow();
          }
        } catch (IOException e) {
          closed = true; // the write found the connection reset
        }
        assertThat(closed).as("closed while bytes kept coming").isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
      }
    }

    @Test
    void aSilentConnectionIsClosed() throws Exception {
      int port = serve(new WebServer.Limits(Duration.ofMillis(300), Duration.ofSeconds(30), 16));
      try (Raw raw = new Raw(port)) {
        assertThat(raw.readToClose()).isEmpty();
      }
    }

    /** A guard for the idle timeout: passed before too, when there was none. */
    @Test
    void aProbeLongerThanTheIdleTimeoutStillAnswers() throws Exception {
      // the probe holds the connection silent for 1.5 s: the idle timeout waits for the answer
      int port = serve(new WebServer.Limits(Duration.ofMillis(300), Duration.ofMillis(300), 16));
      HttpResponse<String> r = get(port, "/probe?target=slow");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("result: success");
    }

    @Test
    void pastTheCapTheOldestWaitingConnectionsGoAndMetricsStillAnswers() throws Exception {
      int port = serve(new WebServer.Limits(Duration.ofSeconds(30), Duration.ofSeconds(30), 4));
      List<Raw> open = new ArrayList<>();
      try {
        for (int i = 0; i < 6; i++) {
          open.add(new Raw(port));
          Thread.sleep(50); // accepted in this order
        }
        awaitClosed(open.get(0));
        awaitClosed(open.get(1));
        for (Raw r : open.subList(2, 6)) {
          assertThat(r.closedNow()).isFalse();
        }
        HttpResponse<String> m = get(port, "/metrics");
        assertThat(m.statusCode()).isEqualTo(200);
        assertThat(m.body()).contains("wsprobe_probes_in_flight");
        awaitClosed(open.get(2)); // made room for the scrape
      } finally {
        for (Raw r : open) {
          r.close();
        }
      }
    }

    @Test
    void whenEveryConnectionServesARequestANewcomerIsClosedAtOnce() throws Exception {
      int port = serve(new WebServer.Limits(Duration.ofSeconds(30), Duration.ofSeconds(30), 2));
      CompletableFuture<HttpResponse<String>> a = probeAsync(port, "slow");
      CompletableFuture<HttpResponse<String>> b = probeAsync(port, "slow");
      awaitUpgrades(2);
      try (Raw raw = new Raw(port)) {
        assertThat(raw.send("GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n").readToClose()).isEmpty();
      }
      assertThat(a.get().statusCode()).isEqualTo(200);
      assertThat(b.get().statusCode()).isEqualTo(200);
    }

    void awaitClosed(Raw raw) throws Exception {
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (!raw.closedNow()) {
        assertThat(System.nanoTime()).as("closed by the server").isLessThan(deadline);
        Thread.sleep(20);
      }
    }
  }

  CompletableFuture<HttpResponse<String>> probeAsync(int port, String target) {
    // one client per request: each on its own connection
    return HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/probe?target=" + target)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  void awaitUpgrades(int n) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (slow.arrivals("/held").size() < n) {
      assertThat(System.nanoTime()).as(n + " upgrades").isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  @Nested
  class UnusualRequests {

    @ParameterizedTest
    @ValueSource(strings = {
        "CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n",
        "CONNECT /metrics HTTP/1.1\r\nHost: x\r\n",
        "CONNECT 127.0.0.1:443 HTTP/1.0\r\n",
        // RFC 9112 §3.2: an HTTP/1.1 request without Host is a client error, not the router's
        "GET /metrics HTTP/1.1\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: x\r\n",
        "OPTIONS /metrics HTTP/1.1\r\nHost: x\r\n",
        "TRACE / HTTP/1.1\r\nHost: x\r\n",
        "BREW /metrics HTTP/1.1\r\nHost: x\r\n",
        "GET * HTTP/1.1\r\nHost: x\r\n",
        "GET metrics HTTP/1.1\r\nHost: x\r\n",
        "GET /%zz HTTP/1.1\r\nHost: x\r\n",
        "GET /probe?target=%z HTTP/1.1\r\nHost: x\r\n",
        "GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n",
        "GET http://[::1 HTTP/1.1\r\nHost: x\r\n",
        "GET //evil.example/metrics HTTP/1.1\r\nHost: x\r\n",
    })
    void getAQuiet4xx(String head) throws Exception {
      try (Raw raw = new Raw(agent.port())) {
        String answer = raw.send(head + "Connection: close\r\n\r\n").readToClose();
        assertThat(answer).matches("(?s)HTTP/1\\.[01] 4\\d\\d .*");
        assertThat(answer).containsIgnoringCase("\r\nX-Content-Type-Options: nosniff\r\n");
      }
      assertThat(errors.events).as("error log lines").isEmpty();
    }

    @Test
    void connectIsAnsweredWith405() throws Exception {
      try (Raw raw = new Raw(agent.port())) {
        assertThat(raw.send("CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n").readToClose())
            .startsWith("HTTP/1.1 405 ");
      }
      assertThat(errors.events).isEmpty();
    }

    /** A guard: passed before too. */
    @Test
    void anAbsoluteFormTargetIsServed() throws Exception {
      try (Raw raw = new Raw(agent.port())) {
        assertThat(raw.send("GET http://127.0.0.1:" + agent.port() + "/-/healthy HTTP/1.1\r\nHost: 127.0.0.1:"
            + agent.port() + "\r\nConnection: close\r\n\r\n").readToClose()).startsWith("HTTP/1.1 200 ");
      }
      assertThat(errors.events).isEmpty();
    }
  }

  @Nested
  class ResponseHeaders {

    @Test
    void everyResponseSaysNosniffAndTheDynamicPagesNoStore() throws Exception {
      for (String path : List.of("/metrics", "/", "/probe?target=app", "/probe?target=none", "/-/healthy",
          "/-/ready", "/-/reload", "/nothing-here")) {
        HttpResponse<String> r = get(agent.port(), path);
        assertThat(r.headers().firstValue("X-Content-Type-Options")).as(path).hasValue("nosniff");
        assertThat(r.headers().firstValue("Cache-Control")).as(path).hasValue("no-store");
      }
      try (Raw raw = new Raw(agent.port())) {
        assertThat(raw.send("GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n").readToClose())
            .startsWith("HTTP/1.1 400 ").containsIgnoringCase("\r\nX-Content-Type-Options: nosniff\r\n");
      }
    }
  }

  @Nested
  class OnDemandProbes {

    @Test
    void takeSlotsOfTheGlobalLimitAndAreRefusedPastIt() throws Exception {
      List<CompletableFuture<HttpResponse<String>>> asked = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        asked.add(probeAsync(agent.port(), "slow"));
      }
      awaitUpgrades(2);
      assertThat(get(agent.port(), "/metrics").body()).contains("\nwsprobe_probes_in_flight 2.0\n");
      List<HttpResponse<String>> answers = new ArrayList<>();
      for (CompletableFuture<HttpResponse<String>> f : asked) {
        answers.add(f.get());
      }
      List<HttpResponse<String>> ok = answers.stream().filter(r -> r.statusCode() == 200).toList();
      List<HttpResponse<String>> refused = answers.stream().filter(r -> r.statusCode() == 429).toList();
      assertThat(ok).hasSize(2).allSatisfy(r -> assertThat(r.body()).contains("result: success"));
      assertThat(refused).hasSize(3).allSatisfy(r -> {
        assertThat(r.body()).contains("max_concurrent_probes", "2");
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
      });
      assertThat(slow.maxOpen()).isEqualTo(2);
      assertThat(slow.arrivals("/held")).hasSize(2);
      assertThat(get(agent.port(), "/metrics").body()).contains("\nwsprobe_probes_in_flight 0.0\n");
    }
  }

  /** One raw connection: exact bytes out, whatever comes back. */
  static final class Raw implements AutoCloseable {
    final Socket socket;
    final InputStream in;

    Raw(int port) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(5000);
      in = socket.getInputStream();
    }

    Raw send(String bytes) throws IOException {
      socket.getOutputStream().write(bytes.getBytes(ISO_8859_1));
      socket.getOutputStream().flush();
      return this;
    }

    /** Everything until the server closes; fails when it keeps the connection open for 5 s. */
    String readToClose() throws IOException {
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      try {
        for (int n; (n = in.read(buf)) >= 0; ) {
          got.write(buf, 0, n);
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the server kept the connection open; it sent:\n" + got.toString(ISO_8859_1));
      } catch (SocketException e) {
        // reset: closed too
      }
      return got.toString(ISO_8859_1);
    }

    /** Whether the server has closed (nothing else is expected to arrive). */
    boolean closedNow() throws IOException {
      socket.setSoTimeout(1);
      try {
        return in.read() < 0;
      } catch (SocketTimeoutException e) {
        return false;
      } catch (SocketException e) {
        return true;
      } finally {
        socket.setSoTimeout(5000);
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** Collects every ERROR event, whichever logger it comes from. */
  static final class Errors extends AppenderBase<ILoggingEvent> {
    final Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME);
    final List<String> events = Collections.synchronizedList(new ArrayList<>());

    void attach() {
      setContext(root.getLoggerContext());
      start();
      root.addAppender(this);
    }

    void detach() {
      root.detachAppender(this);
      stop();
    }

    @Override
    protected void append(ILoggingEvent e) {
      if (e.getLevel().isGreaterOrEqual(Level.ERROR)) {
        events.add(e.getLoggerName() + ": " + e.getFormattedMessage());
      }
    }
  }
}
