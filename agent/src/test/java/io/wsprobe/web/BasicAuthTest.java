package io.wsprobe.web;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** bcrypt checks, their cache, and the Authorization header; gzip's Accept-Encoding rule. */
class BasicAuthTest {

  final Vertx vertx = Vertx.vertx();
  final WorkerExecutor worker = vertx.createSharedWorkerExecutor("test-bcrypt", 1);
  final BasicAuth auth = new BasicAuth(Map.of("alice", BCrypt.withDefaults().hashToString(4, "pw".toCharArray())),
      new BasicAuth.Cache(), worker);

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  static String basic(String userColonPassword) {
    return "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theRightPasswordPassesAndIsThenAnsweredFromTheCache() {
    assertThat(auth.check(basic("alice:pw")).await()).isTrue();
    Future<Boolean> again = auth.check(basic("alice:pw"));
    assertThat(again.isComplete()).as("answered without bcrypt").isTrue();
    assertThat(again.result()).isTrue();
  }

  @Test
  void wrongPasswordsUnknownUsersAndMalformedHeadersFail() {
    assertThat(auth.check(basic("alice:PW")).await()).isFalse();
    assertThat(auth.check(basic("bob:pw")).await()).isFalse();
    assertThat(auth.check(basic("bob:pw")).await()).as("cached, still refused").isFalse();
    assertThat(auth.check(basic("alice")).await()).isFalse();
    assertThat(auth.check("Bearer abc").await()).isFalse();
    assertThat(auth.check("Basic %%%").await()).isFalse();
    assertThat(auth.check(null).await()).isFalse();
    assertThat(auth.check("basic " + basic("alice:pw").substring(6)).await()).as("scheme is case-insensitive").isTrue();
  }

  @Test
  void theCacheKeepsDigestsNotPasswords() {
    assertThat(BasicAuth.Cache.key("alice", "$2y$hash", "pw")).hasSize(64).doesNotContain("pw")
        .isNotEqualTo(BasicAuth.Cache.key("alice", "$2y$hash", "pw2"))
        .isNotEqualTo(BasicAuth.Cache.key("alic", "e$2y$hash", "pw"));
    assertThat(BasicAuth.Credentials.parse(basic("alice:a:b")))
        .isEqualTo(new BasicAuth.Credentials("alice", "a:b"));
    assertThat(BasicAuth.Credentials.parse(basic("alice:secret")).toString()).doesNotContain("secret");
  }

  @Test
  void gzipWhenAcceptEncodingAllowsIt() {
    assertThat(Gzip.accepted("gzip")).isTrue();
    assertThat(Gzip.accepted("deflate, gzip;q=1.0, *;q=0.5")).isTrue();
    assertThat(Gzip.accepted("GZIP")).isTrue();
    assertThat(Gzip.accepted("*")).isTrue();
    assertThat(Gzip.accepted("gzip;q=0")).isFalse();
    assertThat(Gzip.accepted("gzip; q=0.000, *")).isFalse();
    assertThat(Gzip.accepted("*;q=0")).isFalse();
    assertThat(Gzip.accepted("identity")).isFalse();
    assertThat(Gzip.accepted("br, zstd")).isFalse();
    assertThat(Gzip.accepted(null)).isFalse();
  }
}
