package io.wsprobe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.tuple;
import static io.wsprobe.config.ConfigTesting.ENV;
import static io.wsprobe.config.ConfigTesting.errors;
import static io.wsprobe.config.ConfigTesting.exception;
import static io.wsprobe.config.ConfigTesting.parse;
import static io.wsprobe.config.ConfigTesting.seconds;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.wsprobe.config.Module.App;
import io.wsprobe.config.Module.Auth;
import io.wsprobe.config.Module.Broadcast;
import io.wsprobe.config.Module.Expect;
import io.wsprobe.config.Module.Hocuspocus;
import io.wsprobe.config.Module.Hold;
import io.wsprobe.config.Module.IpProtocol;
import io.wsprobe.config.Module.Message;
import io.wsprobe.config.Module.Protocol;
import io.wsprobe.config.Module.SocketIo;
import io.wsprobe.config.Module.Tls;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Secrets: {@code ${env:}}, {@code ${file:}}, {@code *_file} and sensitive headers ({@link SecretResolver}); never in an error. */
class SecretResolverTest {

  @Nested
  class Secrets {

    private static final String SECRET = "zq-S3CRET-do-not-print-7781";

    private void assertNotLeaked(String yaml, Map<String, String> env, Path dir) {
      ConfigException e = exception(yaml, dir, env);
      assertThat(e.errors()).isNotEmpty();
      assertThat(e.getMessage()).doesNotContain(SECRET);
      assertThat(e.errors()).allSatisfy(error -> assertThat(error.message()).doesNotContain(SECRET));
    }

    @Test
    void anEnvSecretIsNotInTheErrorsOfItsModule() {
      assertNotLeaked("""
          modules:
            api:
              headers:
                X-Api-Key: ${env:API_KEY}
              bearer_token: ${env:API_KEY}
              origin: not a url
              hedaers: {}
              messages:
                - send: ping
                  expect: { regex: "(" }
          targets:
            - name: a
              url: http://a.example.com/
              module: api
          """, Map.of("API_KEY", SECRET), Path.of(""));
    }

    @Test
    void anEnvSecretThatBreaksTheHeaderIsNotShown() {
      assertNotLeaked("""
          modules:
            api:
              headers:
                X-Api-Key: ${env:API_KEY}
          """, Map.of("API_KEY", SECRET + "\r\nX-Injected: 1"), Path.of(""));
    }

    @Test
    void aBearerTokenThatBreaksTheHeaderIsNotShown() {
      assertNotLeaked("modules:\n  api:\n    bearer_token: ${env:TOKEN}\n",
          Map.of("TOKEN", SECRET + "\n"), Path.of(""));
    }

    @Test
    void aLiteralSecretHeaderThatBreaksTheHeaderIsNotShown() {
      assertNotLeaked("modules:\n  api:\n    headers:\n      Authorization: \"Bearer " + SECRET
          + "\\n\"\n", Map.of(), Path.of(""));
    }

    @Test
    void aFileSecretThatBreaksTheHeaderIsNotShown(@TempDir Path dir) throws IOException {
      Files.writeString(dir.resolve("token.txt"), SECRET + "\nsecond line\n");
      assertNotLeaked("modules:\n  api:\n    bearer_token_file: token.txt\n", Map.of(), dir);
    }

    @Test
    void aTokenInTheUrlIsNotShown() {
      assertNotLeaked("targets:\n  - name: a\n    url: http://a.example.com/?token=" + SECRET
          + "\n", Map.of(), Path.of(""));
    }

    @Test
    void publicQueryParamsAreShownAndTheRestHidden() throws Exception {
      Config config = ConfigLoader.parse("""
          modules:
            chat:
              public_query_params: [room, v]
          targets:
            - name: a
              url: ws://a.example.com/chat?room=lobby&v=2&session=s1&%74oken=t1&code=c1
              module: chat
          """, "test.yml", Path.of(""), Map.<String, String>of()::get);

      Target target = config.targets().get(0);
      assertThat(config.moduleOf(target).publicQueryParams()).containsExactly("room", "v");
      assertThat(config.moduleOf(target).shownUrl(target.url()))
          .isEqualTo("ws://a.example.com/chat?room=lobby&v=2&session=<secret>&%74oken=<secret>&code=<secret>");
      assertThat(config.modules().get("default").shownUrl(target.url()))
          .isEqualTo("ws://a.example.com/chat?room=<secret>&v=<secret>&session=<secret>&%74oken=<secret>&code=<secret>");
    }

    @Test
    void aSecretIsRedactedWhenTheConfigIsPrinted() throws Exception {
      Config config = ConfigLoader.parse("""
          modules:
            api:
              headers:
                X-Api-Key: ${env:API_KEY}
              bearer_token: literal-token-1234
          """, "test.yml", Path.of(""), Map.of("API_KEY", SECRET)::get);

      assertThat(config.toString()).doesNotContain(SECRET).doesNotContain("literal-token-1234")
          .contains("X-Api-Key=<secret>", "Authorization=<secret>");
    }

    @Test
    void appSecretsAreNotInTheErrorsOfTheirModule() {
      assertNotLeaked("""
          modules:
            collab:
              protocol: hocuspocus
              hocuspocus: { document: "", token: "${env:TOKEN}" }
              auth:
                type: docmost
                base_url: https://docs.example.com/?token=${env:TOKEN}
                email: ""
                password: ${env:TOKEN}
              broadcast: { receivers: 0 }
            chat:
              protocol: socketio
              socketio:
                namespace: chat
                auth: { token: "${env:TOKEN}", room: { id: "${env:TOKEN}" } }
              auth: { type: oauth, base_url: "https://${env:TOKEN}", email: e, password: p }
          """, Map.of("TOKEN", SECRET), Path.of(""));
    }

    @Test
    void aLiteralPasswordOrTokenIsNotInTheErrors(@TempDir Path dir) throws IOException {
      Files.writeString(dir.resolve("password.txt"), SECRET + "\n");
      assertNotLeaked("""
          modules:
            collab:
              protocol: hocuspocus
              hocuspocus: { document: d, token: "%s" }
              auth: { type: docmost, base_url: "%s", email: e, password_file: password.txt,
                      password: "%s" }
          """.formatted(SECRET, SECRET, SECRET), Map.of(), dir);
    }

    @Test
    void appSecretsAreRedactedWhenTheConfigIsPrinted(@TempDir Path dir) throws Exception {
      Files.writeString(dir.resolve("password.txt"), SECRET + "-file\n");
      Config config = ConfigLoader.parse("""
          modules:
            collab:
              protocol: hocuspocus
              hocuspocus: { document: d, token: "${env:TOKEN}" }
            docmost:
              protocol: hocuspocus
              hocuspocus: { document: page.1 }
              auth: { type: docmost, base_url: "https://d.example.com", email: e,
                      password_file: password.txt }
            chat:
              protocol: socketio
              socketio: { auth: { token: "${env:TOKEN}" } }
          """, "test.yml", dir, Map.of("TOKEN", SECRET)::get);

      assertThat(config.toString()).doesNotContain(SECRET)
          .contains("token=<secret>", "password=<secret>", "auth=<secret>");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Authorization", "Cookie", "Proxy-Authorization", "X-Auth-User",
        "X-Api-Key", "X-Access-Token", "Client-Secret", "X-PASSWORD", "x-apikey"})
    void literalValuesOfSensitiveHeadersAreSecret(String name) throws Exception {
      Config config = parse("modules:\n  m:\n    headers:\n      " + name + ": abc\n");

      assertThat(config.modules().get("m").headers().get(name)).isEqualTo(new Secret("abc", true));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"X-Client", "User-Agent", "Accept-Language"})
    void literalValuesOfOtherHeadersAreNotSecret(String name) throws Exception {
      Config config = parse("modules:\n  m:\n    headers:\n      " + name + ": abc\n");

      assertThat(config.modules().get("m").headers().get(name)).isEqualTo(Secret.plain("abc"));
    }

    @Test
    void referencesMayBePartOfAValueWhichIsThenSecret() throws Exception {
      Config config = parse("""
          modules:
            m:
              headers:
                Cookie: "authToken=${env:TOKEN}"
                X-Client: "client-${env:API_KEY}-${env:TOKEN}"
          """);

      assertThat(config.modules().get("m").headers()).containsExactly(
          entry("Cookie", new Secret("authToken=t0ken-from-env", true)),
          entry("X-Client", new Secret("client-k3y-from-env-t0ken-from-env", true)));
    }

    @Test
    void everyUnsetVariableOfAValueIsReported() {
      assertThat(errors("modules:\n  m:\n    headers:\n      X-Client: ${env:A}:${env:B}\n"))
          .containsExactly(
              "test.yml:4: modules.m.headers.X-Client: environment variable A is not set",
              "test.yml:4: modules.m.headers.X-Client: environment variable B is not set");
    }

    @Test
    void anEmptyVariableIsAnError() {
      assertThat(errors("modules:\n  m:\n    bearer_token: ${env:EMPTY}\n", Path.of(""),
          Map.of("EMPTY", ""))).containsExactly(
          "test.yml:3: modules.m.bearer_token: environment variable EMPTY is empty");
    }
  }
}
