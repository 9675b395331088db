package io.wsprobe.prober;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HopRecogniserTest {

  /** "Name: value" lines as an answer carries them. */
  static HttpHeaders headers(String... lines) {
    HttpHeaders h = new DefaultHttpHeaders();
    for (String line : lines) {
      int colon = line.indexOf(':');
      h.add(line.substring(0, colon), line.substring(colon + 1).strip());
    }
    return h;
  }

  static Stream<Arguments> answers() {
    return Stream.of(
        // what the real proxies sent in this project's tests (Debian packages, loopback)
        Arguments.of("Apache 2.4 without upgrade=websocket, ws app's 426",
            headers("Date: Mon, 07 Dec 2026 16:02:10 GMT", "Server: Apache/2.4.71 (Debian)",
                "Content-Type: text/plain", "Transfer-Encoding: chunked"),
            "Upgrade Required", Hop.APACHE, "Server: Apache/2.4.71 (Debian)"),
        Arguments.of("Varnish 7.1 with the default VCL",
            headers("Content-Type: text/plain", "X-Varnish: 2", "Age: 0", "Via: 1.1 varnish (Varnish/7.1)",
                "Content-Length: 16", "Connection: keep-alive"),
            "Upgrade Required", Hop.VARNISH, "X-Varnish, Via: 1.1 varnish (Varnish/7.1)"),
        Arguments.of("Caddy 2.6's 101",
            headers("Connection: Upgrade", "Server: Caddy", "Upgrade: websocket"),
            "", Hop.CADDY, "Server: Caddy"),
        Arguments.of("nginx without the Upgrade lines, the SPA's page",
            headers("Server: nginx/1.22.1", "Content-Type: text/html"),
            "<!doctype html><div id=\"root\"></div>", Hop.NGINX, "Server: nginx/1.22.1"),
        // proxies' own error pages win over any header
        Arguments.of("nginx's 502 page",
            headers("Server: cloudflare", "Content-Type: text/html"),
            "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n"
                + "<hr><center>nginx/1.22.1</center>\n</body>\n</html>", Hop.NGINX, "nginx's error page"),
        Arguments.of("HAProxy's 503 page (HAProxy sends no Server header)",
            headers("content-length: 107", "cache-control: no-cache", "content-type: text/html"),
            "<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n"
                + "</body></html>\n", Hop.HAPROXY, "HAProxy's error page"),
        Arguments.of("Varnish's synthetic error page",
            headers("Server: Varnish", "X-Varnish: 32770", "Content-Type: text/html; charset=utf-8"),
            "<!DOCTYPE html>\n<html><head><title>503 Backend fetch failed</title></head><body>"
                + "<h1>Error 503 Backend fetch failed</h1><h3>Guru Meditation:</h3>", Hop.VARNISH,
            "Varnish's Guru Meditation page"),
        Arguments.of("Apache's own 502 page behind an app Server header",
            headers("Server: Express", "Content-Type: text/html; charset=iso-8859-1"),
            "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>502 Proxy Error</title>\n"
                + "</head><body>\n<hr>\n<address>Apache/2.4.71 (Debian) Server at 127.0.0.1 Port 80</address>",
            Hop.APACHE, "Apache's error page"),
        // CDNs: their own headers before the Via that Fastly shares with Varnish
        Arguments.of("Fastly",
            headers("Via: 1.1 varnish", "X-Served-By: cache-fra-eddf8230062-FRA", "X-Cache: MISS",
                "X-Varnish: 123"),
            "", Hop.CDN, "X-Served-By"),
        Arguments.of("CloudFront",
            headers("Server: nginx", "X-Cache: Error from cloudfront",
                "Via: 1.1 0a1b2c3d.cloudfront.net (CloudFront)", "X-Amz-Cf-Pop: FRA56-P1",
                "X-Amz-Cf-Id: dGhpcyBpcyBub3QgYSByZWFsIGlk"),
            "", Hop.CLOUDFRONT, "X-Amz-Cf-Id, Via: 1.1 0a1b2c3d.cloudfront.net (CloudFront)"),
        Arguments.of("Cloudflare",
            headers("Server: cloudflare", "CF-Ray: 8d0c1f2e3a4b5c6d-FRA", "CF-Cache-Status: DYNAMIC"),
            "", Hop.CLOUDFLARE, "CF-Ray, Server: cloudflare"),
        Arguments.of("Envoy in an Istio mesh",
            headers("server: istio-envoy", "x-envoy-upstream-service-time: 3"),
            "", Hop.ENVOY, "x-envoy-upstream-service-time"),
        Arguments.of("Envoy by its Server header",
            headers("server: envoy", "content-length: 0"),
            "", Hop.ENVOY, "Server: envoy"),
        Arguments.of("Traefik by Via",
            headers("Via: 1.1 traefik"), "", Hop.TRAEFIK, "Via: 1.1 traefik"),
        Arguments.of("Apache with ProxyVia Full behind an app that names itself",
            headers("Server: Express", "Via: 1.1 127.0.0.1:18912 (Apache/2.4.71)"),
            "", Hop.APACHE, "Via: 1.1 127.0.0.1:18912 (Apache/2.4.71)"),
        Arguments.of("Caddy by Via",
            headers("Server: Express", "Via: 1.1 Caddy"), "", Hop.CADDY, "Via: 1.1 Caddy"),
        Arguments.of("openresty is nginx",
            headers("Server: openresty/1.25.3.1"), "", Hop.NGINX, "Server: openresty/1.25.3.1"),
        Arguments.of("a bare X-Cache: some CDN",
            headers("X-Cache: MISS", "Server: Express"), "", Hop.CDN, "X-Cache"),
        // what names no hop
        Arguments.of("Tomcat's Apache-Coyote is no Apache httpd",
            headers("Server: Apache-Coyote/1.1"), "", Hop.UNKNOWN, ""),
        Arguments.of("an app behind Apache that sends its own Server header",
            headers("Server: Express", "Content-Type: text/html"), "<!doctype html>", Hop.UNKNOWN, ""),
        Arguments.of("the ws library's 426, no proxy",
            headers("Content-Type: text/plain", "Connection: close"), "Upgrade Required", Hop.UNKNOWN, ""),
        Arguments.of("Squid's Via is not in the list",
            headers("Server: squid/5.7", "Via: 1.1 proxy (squid/5.7)", "X-Cache: MISS from proxy"), "",
            Hop.UNKNOWN, ""),
        Arguments.of("Squid as a reverse proxy, the app's Server passed through",
            headers("Server: Express", "Via: 1.1 proxy (squid/5.7)", "X-Cache: MISS from proxy"), "",
            Hop.UNKNOWN, ""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("answers")
  void namesTheHopAndWhatShowedIt(String what, HttpHeaders headers, String body, Hop hop, String evidence) {
    HopRecogniser.Seen seen = HopRecogniser.recognise(headers, body);
    assertThat(seen.hop()).as(what).isEqualTo(hop);
    assertThat(seen.evidence()).as(what).isEqualTo(evidence);
  }

  @Test
  void noAnswerNamesNoHop() {
    assertThat(HopRecogniser.recognise(null, "")).isEqualTo(HopRecogniser.Seen.UNKNOWN);
  }

  @Test
  void aLongHeaderValueIsShortenedInTheEvidence() {
    String via = "1.1 varnish (Varnish/7.1), " + "1.1 x".repeat(40);
    HopRecogniser.Seen seen = HopRecogniser.recognise(headers("Via: " + via), "");
    assertThat(seen.hop()).isEqualTo(Hop.VARNISH);
    assertThat(seen.evidence()).startsWith("Via: 1.1 varnish (Varnish/7.1), ").endsWith("...")
        .hasSize("Via: ".length() + 80 + 3);
  }

  @Test
  void labelsAreTheEnumNamesInLowerCase() {
    assertThat(Stream.of(Hop.values()).map(Hop::label)).containsExactly("nginx", "apache", "haproxy",
        "varnish", "caddy", "traefik", "envoy", "cloudflare", "cloudfront", "cdn", "unknown");
  }

  @Nested
  class Diagnoses {

    static final HopRecogniser.Seen VARNISH = new HopRecogniser.Seen(Hop.VARNISH, "X-Varnish, Via: 1.1 varnish (Varnish/7.1)");

    @Test
    void anIgnoredUpgradeLeadsWithTheHopsFix() {
      String d = Diagnosis.of(Result.UPGRADE_IGNORED, 200, "text/html", "", VARNISH);
      assertThat(d).startsWith("Answered through Varnish (X-Varnish, Via: 1.1 varnish (Varnish/7.1)), which did"
          + " not pass the upgrade on.\nVarnish serves every request itself unless the VCL pipes upgrades");
      assertThat(d).contains("return (pipe);", "set bereq.http.Upgrade = req.http.Upgrade;",
          "Got HTTP 200 text/html instead of 101").doesNotContain("proxy_set_header");
    }

    @Test
    void aRefusedUpgradeLeadsWithTheHopsFixForTheStatusesAProxyCauses() {
      String d = Diagnosis.of(Result.UPGRADE_REJECTED, 426, "text/plain", "",
          new HopRecogniser.Seen(Hop.APACHE, "Server: Apache/2.4.71 (Debian)"));
      assertThat(d).startsWith("Answered through Apache (Server: Apache/2.4.71 (Debian)), which did not pass"
          + " the upgrade on.\nIn Apache 2.4.47 or later, the ProxyPass of this path needs upgrade=websocket:");
      assertThat(d).contains("mod_proxy_wstunnel", "Got HTTP 426 text/plain instead of 101: the upgrade was refused.")
          .doesNotContain("proxy_set_header");
      // a 403 is the app's refusal: the hop is named, its upgrade fix is not offered
      String refused = Diagnosis.of(Result.UPGRADE_REJECTED, 403, "", "",
          new HopRecogniser.Seen(Hop.APACHE, "Server: Apache/2.4.71 (Debian)"));
      assertThat(refused).startsWith("Answered through Apache (Server: Apache/2.4.71 (Debian)). Got HTTP 403")
          .doesNotContain("upgrade=websocket");
    }

    @Test
    void anIdleCutNamesTheHopsTimeout() {
      String d = Diagnosis.of(Result.IDLE_CUT, 101, null, "closed after 60.0s",
          new HopRecogniser.Seen(Hop.NGINX, "Server: nginx/1.22.1"));
      assertThat(d).startsWith("Answered through nginx (Server: nginx/1.22.1): nginx's proxy_read_timeout"
          + " (60s by default)");
    }

    @Test
    void everyHopButUnknownHasAFixAndATimeout() {
      for (Hop hop : Hop.values()) {
        assertThat(hop.upgradeFix().isEmpty()).as(hop.label()).isEqualTo(hop == Hop.UNKNOWN);
        assertThat(hop.idleHint().isEmpty()).as(hop.label()).isEqualTo(hop == Hop.UNKNOWN);
      }
    }

    @Test
    void anUnknownHopKeepsTodaysWords() {
      for (Result r : Result.values()) {
        for (int status : new int[] {0, 200, 400, 426, 403, 502}) {
          assertThat(Diagnosis.of(r, status, "text/html", "x", HopRecogniser.Seen.UNKNOWN))
              .isEqualTo(Diagnosis.of(r, status, "text/html", "x"));
        }
      }
      assertThat(Diagnosis.of(Result.UPGRADE_IGNORED, 200, "text/html", "", HopRecogniser.Seen.UNKNOWN))
          .endsWith(Diagnosis.NGINX_FIX);
    }
  }
}
