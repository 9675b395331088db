package io.wsprobe.prober;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.wsprobe.config.Module;
import io.wsprobe.config.Target;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The warm-up of {@code wsprobe probe} takes the paths of its one probe, and only those. */
class WarmupTest {

  private static Target target(String url) {
    return new Target("t", URI.create(url), "m", Map.of(), Duration.ofSeconds(6), Duration.ofSeconds(5));
  }

  private static Module module(List<Module.Message> messages, Module.App app) {
    return new Module("m", Map.of(), null, List.of(), Module.Tls.defaults(), Module.IpProtocol.IP4, true,
        Module.DEFAULT_MAX_MESSAGE_BYTES, messages, null, app);
  }

  @Test
  void aPlainProbeOfAnAddressWithoutMessagesTakesNoNameTlsMessageOrRoomPath() {
    assertThat(Warmup.Paths.of(target("ws://127.0.0.1:8080/echo"), Module.defaults()))
        .isEqualTo(new Warmup.Paths(false, false, false, false));
    assertThat(Warmup.Paths.of(target("ws://[::1]:8080/echo"), Module.defaults()).hostName()).isFalse();
  }

  @Test
  void aNameTlsMessagesAndABroadcastEachAddTheirPath() {
    Module withAll = module(List.of(new Module.Message("hi", false, Module.Expect.echo(), 1)),
        new Module.App(Module.Protocol.RAW, new Module.Broadcast(1, null), null, null, null));
    assertThat(Warmup.Paths.of(target("wss://example.com/live"), withAll))
        .isEqualTo(new Warmup.Paths(true, true, true, true));
    assertThat(Warmup.Paths.of(target("ws://localhost:1/x"), Module.defaults()))
        .isEqualTo(new Warmup.Paths(true, false, false, false));
  }

  @Test
  void theWarmUpOfAProbeEndsAndLeavesTheProberWorking() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      WebSocketProber prober = new WebSocketProber(vertx);
      Target wss = target("wss://127.0.0.1:1/echo");
      Warmup.forProbe(vertx, prober, wss, Module.defaults()).toCompletionStage().toCompletableFuture()
          .get(60, java.util.concurrent.TimeUnit.SECONDS);
      ProbeResult refused = prober.probe(target("ws://127.0.0.1:1/echo"), Module.defaults())
          .toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(refused.result()).isEqualTo(Result.CONNECT_REFUSED);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
  }
}
