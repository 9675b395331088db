package io.wsprobe.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.wsprobe.cli.Agent;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.support.AppServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rendezvous sharding: each target in exactly one shard, little movement when a replica is added. */
class ShardTest {

  static final List<String> NAMES = IntStream.range(0, 10_000)
      .mapToObj(i -> (i % 3 == 0 ? "docmost-collab-" : i % 3 == 1 ? "chat.example.com/ws#" : "t") + i)
      .toList();

  static int[] owners(int count) {
    return NAMES.stream().mapToInt(n -> Shard.owner(n, count)).toArray();
  }

  @Test
  void everyTargetIsProbedByExactlyOneShard() {
    for (int count : new int[] {3, 4}) {
      int[] shares = new int[count];
      for (String name : NAMES) {
        int owning = 0;
        for (int i = 0; i < count; i++) {
          if (new Shard(i, count).owns(name)) {
            owning++;
            shares[i]++;
          }
        }
        assertThat(owning).as("shards of %d owning %s", count, name).isEqualTo(1);
      }
      for (int share : shares) {
        assertThat(share).as("one shard's share of %d names over %d shards", NAMES.size(), count)
            .isBetween(NAMES.size() / count * 9 / 10, NAMES.size() / count * 11 / 10);
      }
    }
  }

  @Test
  void addingAFourthReplicaMovesAboutAQuarterOfTheTargetsAllToTheNewShard() {
    int[] three = owners(3);
    int[] four = owners(4);
    int moved = 0;
    for (int i = 0; i < NAMES.size(); i++) {
      if (three[i] != four[i]) {
        moved++;
        assertThat(four[i]).as("where %s moved", NAMES.get(i)).isEqualTo(3);
      }
    }
    assertThat(moved / (double) NAMES.size()).as("fraction moved going 3 -> 4").isBetween(0.22, 0.28);
  }

  @Test
  void removingAReplicaMovesOnlyItsOwnTargets() {
    int[] four = owners(4);
    int[] three = owners(3);
    for (int i = 0; i < NAMES.size(); i++) {
      if (four[i] != 3) {
        assertThat(three[i]).as("owner of %s", NAMES.get(i)).isEqualTo(four[i]);
      }
    }
  }

  @Test
  void theWeightFunctionIsFixed() {
    // Replicas of different versions must agree: a change here reshuffles every deployment.
    assertThat(Shard.nameHash("docmost-collab")).isEqualTo(Shard.nameHash("docmost-collab"));
    assertThat(List.of(Shard.owner("docmost-collab", 4), Shard.owner("docmost-socketio", 4),
        Shard.owner("echo", 4), Shard.owner("echo-idle", 4), Shard.owner("chat", 4)))
        .isEqualTo(PINNED);
    assertThat(Shard.owner("anything", 1)).isZero();
  }

  static final List<Integer> PINNED = List.of(1, 0, 2, 3, 3);

  @Nested
  class Parse {
    @Test
    void anExplicitIndex() {
      assertThat(Shard.parse("1/3", () -> "ignored")).isEqualTo(new Shard(1, 3));
      assertThat(Shard.parse("0/1", () -> null)).isEqualTo(Shard.ALL);
      assertThat(Shard.ALL.sharded()).isFalse();
    }

    @Test
    void autoTakesTheIndexFromAStatefulSetPodName() {
      assertThat(Shard.parse("auto/4", () -> "wsprobe-eu-west-2")).isEqualTo(new Shard(2, 4));
    }

    @Test
    void mistakesSayWhatIsExpected() {
      assertThatThrownBy(() -> Shard.parse("auto/2", () -> "laptop"))
          .hasMessage("--shard=auto/2 needs a host name ending in -<index> (a StatefulSet pod such as wsprobe-0), got 'laptop'");
      assertThatThrownBy(() -> Shard.parse("auto/2", () -> "wsprobe-2"))
          .hasMessage("--shard=auto/2: shard index must be from 0 to 1, got 2");
      assertThatThrownBy(() -> Shard.parse("0/0", () -> null))
          .hasMessage("--shard=0/0: shard count must be from 1 to 1000, got 0");
      assertThatThrownBy(() -> Shard.parse("1", () -> null))
          .hasMessage("--shard must be I/N or auto/N (e.g. 0/3), got '1'");
      assertThatThrownBy(() -> Shard.parse("99999999999/2", () -> null))
          .hasMessage("--shard=99999999999/2: number too large");
    }
  }

  /** {@code --shard=1/2} in the running agent: only its share is probed and exported. */
  @Nested
  class InTheAgent {
    @TempDir Path dir;
    final HttpClient http = HttpClient.newHttpClient();

    String config(int port, List<String> names) {
      StringBuilder yaml = new StringBuilder("global: { interval: 1s, timeout: 800ms }\ntargets:\n");
      for (String name : names) {
        yaml.append("  - { name: ").append(name).append(", url: \"ws://127.0.0.1:").append(port)
            .append("/collab\" }\n");
      }
      return yaml.toString();
    }

    String scrape(Agent agent) throws Exception {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    }

    String await(Agent agent, Predicate<String> ready) throws Exception {
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      String body = "";
      while (System.nanoTime() < deadline) {
        body = scrape(agent);
        if (ready.test(body)) {
          return body;
        }
        Thread.sleep(100);
      }
      throw new AssertionError("metrics never matched; last scrape:\n" + body);
    }

    static Set<String> probed(String metrics) {
      Set<String> names = new TreeSet<>();
      metrics.lines().filter(l -> l.startsWith("wsprobe_probe_success{"))
          .forEach(l -> names.add(l.replaceAll(".*target=\"([^\"]*)\".*", "$1")));
      return names;
    }

    @Test
    void exportsOnlyItsShareAndReFiltersOnReload() throws Exception {
      Vertx vertx = Vertx.vertx();
      try {
        HttpServer app = AppServer.start(vertx);
        Shard shard = new Shard(1, 2);
        List<String> first = IntStream.range(0, 12).mapToObj(i -> "app-" + i).toList();
        Set<String> mine = new TreeSet<>(first.stream().filter(shard::owns).toList());
        assertThat(mine).as("a share that proves something").isNotEmpty().hasSizeLessThan(first.size());
        Path file = Files.writeString(dir.resolve("wsprobe.yml"), config(app.actualPort(), first));
        Agent agent = new Agent(vertx, () -> ConfigLoader.load(file), "127.0.0.1:0", null, shard);
        agent.start().await();
        try {
          String m = await(agent, b -> probed(b).equals(mine)
              && mine.stream().allMatch(n -> b.lines().anyMatch(l -> l.startsWith("wsprobe_probe_success{")
                  && l.endsWith("target=\"" + n + "\"} 1.0"))));
          assertThat(m).contains("wsprobe_shard_info{shard=\"1\",shards=\"2\"} 1\n",
              "wsprobe_targets 12.0", "wsprobe_shard_targets " + mine.size() + ".0");
          assertThat(agent.statusBoard().status()).extracting(s -> s.target().name())
              .containsExactlyInAnyOrderElementsOf(mine);

          List<String> second = IntStream.range(5, 30).mapToObj(i -> "app-" + i).toList();
          Set<String> mineNow = new TreeSet<>(second.stream().filter(shard::owns).toList());
          Files.writeString(file, config(app.actualPort(), second));
          agent.reload().await();
          m = await(agent, b -> probed(b).equals(mineNow));
          assertThat(m).contains("wsprobe_targets 25.0", "wsprobe_shard_targets " + mineNow.size() + ".0");
        } finally {
          agent.stop().await();
        }
      } finally {
        vertx.close().await();
      }
    }
  }
}
