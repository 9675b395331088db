package io.wsprobe.results;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.wsprobe.config.Config;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.config.Target;
import io.wsprobe.prober.Hop;
import io.wsprobe.prober.ProbeResult;
import io.wsprobe.prober.Result;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The log says when a target changes state, and for a failure what answered. */
class ResultLogTest {

  @Test
  void aFailureNamesTheHopItCameThroughAndASuccessDoesNot() throws Exception {
    Config c = ConfigLoader.parse("targets: [ { name: t, url: \"ws://127.0.0.1:9/echo\" } ]\n", "t.yml",
        Path.of("."), n -> null);
    Target t = c.targets().get(0);
    Logger logger = (Logger) LoggerFactory.getLogger("ResultLogTest");
    logger.setLevel(Level.INFO); // the tests' logback config quiets info
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    TargetFeed feed = new ResultLog(logger).open(t, c.moduleOf(t));

    feed.result(ProbeResult.builder(Result.UPGRADE_REJECTED).detail("got HTTP 426 text/plain instead of 101")
        .statusCode(426).hop(Hop.VARNISH).build());
    feed.result(ProbeResult.builder(Result.SUCCESS).statusCode(101).hop(Hop.CADDY).build());
    feed.result(ProbeResult.builder(Result.CONNECT_REFUSED).detail("connection refused").build());

    assertThat(lines.list).extracting(ILoggingEvent::getMessage)
        .containsExactly("target failing", "target healthy", "target failing");
    assertThat(keys(lines.list.get(0))).containsEntry("hop", "varnish").containsEntry("status", "426");
    assertThat(keys(lines.list.get(1))).doesNotContainKey("hop");
    assertThat(keys(lines.list.get(2))).doesNotContainKey("hop");
  }

  static Map<String, String> keys(ILoggingEvent e) {
    return e.getKeyValuePairs().stream().collect(Collectors.toMap(kv -> kv.key, kv -> String.valueOf(kv.value)));
  }
}
