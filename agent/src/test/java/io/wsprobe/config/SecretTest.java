package io.wsprobe.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a URL looks like wherever it is shown: target_info, the status page, logs, traces, the CLI. */
class SecretTest {

  @Test
  void everyQueryValueIsHiddenNamesKept() {
    URI url = URI.create("wss://app.example.com/ws?session=s1&code=c2&X-Amz-Signature=ab12&sig=x"
        + "&%74oken=t0k&room=lobby&flag&=bare");
    assertThat(Secret.redactUrl(url)).isEqualTo("wss://app.example.com/ws?session=<secret>&code=<secret>"
        + "&X-Amz-Signature=<secret>&sig=<secret>&%74oken=<secret>&room=<secret>&flag&=<secret>");
  }

  @Test
  void aPublicParameterKeepsItsValueButNeverACredential() {
    URI url = URI.create("ws://h/?room=lobby&r%6Fom=decoded&%74oken=t0k&v=2");
    assertThat(Secret.redactUrl(url, Set.of("room", "token")))
        .isEqualTo("ws://h/?room=lobby&r%6Fom=decoded&%74oken=<secret>&v=<secret>");
  }

  @Test
  void theUserInfoPasswordIsHidden() {
    assertThat(Secret.redactUrl(URI.create("ws://probe:hunter2@h:8080/x"))).isEqualTo("ws://probe:<secret>@h:8080/x");
  }

  @Test
  void oneSensitiveHeaderRuleForConfigAndTraces() throws Exception {
    assertThat(Secret.sensitiveHeader("Set-Cookie")).isTrue();
    assertThat(Secret.sensitiveHeader("X-Api-Key")).isTrue();
    assertThat(Secret.sensitiveHeader("Sec-WebSocket-Key")).isFalse(); // the handshake's nonce
    assertThat(Secret.sensitiveHeader("Sec-WebSocket-Api-Key")).isTrue();
    Config config = ConfigLoader.parse("modules:\n  m:\n    headers:\n      Set-Cookie: abc\n",
        "test.yml", null, name -> null);
    assertThat(config.modules().get("m").headers().get("Set-Cookie"))
        .isEqualTo(new Secret("abc", true));
  }
}
