package io.wsprobe.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every form in which a server may echo a secret, and what is left alone. */
class RedactorTest {

  private static final String TOKEN = "t0k/en+v@lue";

  private static Module module(Map<String, Secret> headers, Set<String> publicParams) {
    Module d = Module.defaults();
    return new Module("m", headers, null, List.of(), d.tls(), d.ipProtocol(), true, d.maxMessageBytes(),
        List.of(), null, Module.App.RAW, publicParams);
  }

  @Test
  void aSecretIsFoundInEveryEncoding() {
    Redactor r = Redactor.of(URI.create("ws://h/"), module(Map.of("Authorization", Secret.plain("Bearer " + TOKEN)), Set.of()));
    byte[] bytes = TOKEN.getBytes(StandardCharsets.UTF_8);
    String pct = URLEncoder.encode(TOKEN, StandardCharsets.UTF_8);
    for (String echoed : List.of(TOKEN, pct, pct.toLowerCase(java.util.Locale.ROOT), pct.replace("+", "%20"),
        Base64.getEncoder().encodeToString(bytes), Base64.getUrlEncoder().withoutPadding().encodeToString(bytes),
        "\"" + TOKEN.replace("/", "\\/") + "\"")) {
      assertThat(r.apply("got [" + echoed + "] back")).as(echoed).isIn("got [<secret>] back", "got [\"<secret>\"] back");
    }
    assertThat(r.apply("Authorization: Bearer " + TOKEN)).isEqualTo("Authorization: <secret>");
  }

  @Test
  void theProxyPasswordAndItsBasicCredentialsAreHidden() {
    Module d = Module.defaults();
    Module m = new Module("m", Map.of(), null, List.of(), d.tls(), d.ipProtocol(), true, d.maxMessageBytes(),
        List.of(), null, Module.App.RAW, Set.of(), new Module.Proxy("proxy", 3128, "probe", new Secret("pr0xy-pass", true)));
    Redactor r = Redactor.of(URI.create("ws://h/"), m);
    String basic = Base64.getEncoder().encodeToString("probe:pr0xy-pass".getBytes(StandardCharsets.UTF_8));

    assertThat(r.applyToReport("denied pr0xy-pass, Basic " + basic)).isEqualTo("denied <secret>, Basic <secret>");
  }

  @Test
  void aConfiguredSecretOfOneCharacterIsStillHidden() {
    Redactor r = Redactor.of(URI.create("ws://h/"), module(Map.of("X-Pin", new Secret("7", true)), Set.of()));
    assertThat(r.apply("pin 7 accepted")).isEqualTo("pin <secret> accepted");
    // in wsprobe's own words it would hide every 7: there only secrets of 4 characters or more go
    assertThat(r.applyToReport("got HTTP 407")).isEqualTo("got HTTP 407");
  }

  @Test
  void shortQueryValuesSecretByDefaultOnlyAreHiddenAsNameValue() {
    Redactor r = Redactor.of(URI.create("ws://h/socket.io/?EIO=4&transport=websocket&session=0123456789abc"),
        module(Map.of(), Set.of()));
    assertThat(r.apply("HTTP/1.1 400 Bad Request\nUpgrade: websocket\nGET /socket.io/?EIO=4&transport=websocket"
        + "&session=0123456789abc\nsid 0123456789abc"))
        .isEqualTo("HTTP/1.1 400 Bad Request\nUpgrade: websocket\nGET /socket.io/?EIO=<secret>&transport=<secret>"
            + "&session=<secret>\nsid <secret>");
  }

  @Test
  void publicQueryValuesAreLeftAlone() {
    Redactor r = Redactor.of(URI.create("ws://h/?room=lobby-of-the-day"), module(Map.of(), Set.of("room")));
    assertThat(r.apply("joined room=lobby-of-the-day")).isEqualTo("joined room=lobby-of-the-day");
  }

  @Test
  void cookieValuesAndBasicPasswordsAreFoundAlone() {
    String basic = Base64.getEncoder().encodeToString("probe:a-long-password".getBytes(StandardCharsets.UTF_8));
    Redactor r = Redactor.of(URI.create("ws://h/"), module(Map.of(
        "Cookie", Secret.plain("theme=dark; authToken=abc"), "Authorization", Secret.plain("Basic " + basic)), Set.of()));
    assertThat(r.apply("token abc for probe:a-long-password, password a-long-password, theme dark"))
        .isEqualTo("token <secret> for <secret>, password <secret>, theme dark");
  }

  @Test
  void textAlreadyRedactedIsNotMangled() {
    assertThat(Redactor.of("secret", "e").apply("X: <secret> e")).isEqualTo("X: <secret> <secret>");
    assertThat(Redactor.NONE.apply("anything")).isEqualTo("anything");
  }
}
