package io.wsprobe.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A named probe recipe ({@code modules.<name>}). A target without a module uses
 * {@link #defaults()}: upgrade, then close.
 *
 * @param headers             extra upgrade request headers; values may be secrets
 * @param origin              the {@code Origin} header, or null
 * @param subprotocols        offered in {@code Sec-WebSocket-Protocol}; when not empty the answer
 *                            must pick one of them
 * @param tls                 TLS settings for wss targets
 * @param ipProtocol          address family tried first
 * @param ipProtocolFallback  whether the other family may be used when the first has no address
 * @param maxMessageBytes     largest frame/message accepted from the peer
 * @param messages            message exchanges after the upgrade, in order
 * @param hold                keep the session idle after the messages, or null
 * @param app                 the application protocol spoken after the upgrade, and broadcasts
 * @param publicQueryParams   query parameter names whose values may be shown; every other query
 *                            value is redacted wherever a URL is shown
 * @param proxy               the forward proxy the probe tunnels through (HTTP CONNECT), or null
 * @param wire                how the WebSocket travels: HTTP/1.1 upgrade or HTTP/2 extended
 *                            CONNECT, with or without permessage-deflate
 */
public record Module(String name, Map<String, Secret> headers, String origin,
                     List<String> subprotocols, Tls tls, IpProtocol ipProtocol,
                     boolean ipProtocolFallback, long maxMessageBytes, List<Message> messages,
                     Hold hold, App app, java.util.Set<String> publicQueryParams, Proxy proxy,
                     Wire wire) {

  /** A module on today's wire: an HTTP/1.1 upgrade, no compression. */
  public Module(String name, Map<String, Secret> headers, String origin,
                List<String> subprotocols, Tls tls, IpProtocol ipProtocol,
                boolean ipProtocolFallback, long maxMessageBytes, List<Message> messages,
                Hold hold, App app, java.util.Set<String> publicQueryParams, Proxy proxy) {
    this(name, headers, origin, subprotocols, tls, ipProtocol, ipProtocolFallback,
        maxMessageBytes, messages, hold, app, publicQueryParams, proxy, Wire.DEFAULT);
  }

  /** A module without a forward proxy. */
  public Module(String name, Map<String, Secret> headers, String origin,
                List<String> subprotocols, Tls tls, IpProtocol ipProtocol,
                boolean ipProtocolFallback, long maxMessageBytes, List<Message> messages,
                Hold hold, App app, java.util.Set<String> publicQueryParams) {
    this(name, headers, origin, subprotocols, tls, ipProtocol, ipProtocolFallback,
        maxMessageBytes, messages, hold, app, publicQueryParams, null);
  }

  /** A module whose URL query values are all redacted when shown. */
  public Module(String name, Map<String, Secret> headers, String origin,
                List<String> subprotocols, Tls tls, IpProtocol ipProtocol,
                boolean ipProtocolFallback, long maxMessageBytes, List<Message> messages,
                Hold hold, App app) {
    this(name, headers, origin, subprotocols, tls, ipProtocol, ipProtocolFallback,
        maxMessageBytes, messages, hold, app, java.util.Set.of());
  }

  /** A module speaking raw WebSocket frames, without broadcast. */
  public Module(String name, Map<String, Secret> headers, String origin,
                List<String> subprotocols, Tls tls, IpProtocol ipProtocol,
                boolean ipProtocolFallback, long maxMessageBytes, List<Message> messages,
                Hold hold) {
    this(name, headers, origin, subprotocols, tls, ipProtocol, ipProtocolFallback,
        maxMessageBytes, messages, hold, App.RAW);
  }

  public static final String DEFAULT_NAME = "default";
  public static final long DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

  public static Module defaults() {
    return new Module(DEFAULT_NAME, Map.of(), null, List.of(), Tls.defaults(), IpProtocol.IP4, true,
        DEFAULT_MAX_MESSAGE_BYTES, List.of(), null);
  }

  /** {@code url} as it may be shown: see {@link Secret#redactUrl(java.net.URI, java.util.Set)}. */
  public String shownUrl(java.net.URI url) {
    return Secret.redactUrl(url, publicQueryParams);
  }

  public enum IpProtocol { IP4, IP6 }

  /** This module with another wire. */
  public Module withWire(Wire other) {
    return new Module(name, headers, origin, subprotocols, tls, ipProtocol, ipProtocolFallback,
        maxMessageBytes, messages, hold, app, publicQueryParams, proxy, other);
  }

  /**
   * How the WebSocket travels.
   *
   * @param httpVersion {@code http_version}: an HTTP/1.1 upgrade (RFC 6455), or HTTP/2 extended
   *                    CONNECT (RFC 8441: h2c with prior knowledge for ws://, ALPN h2 for wss://)
   * @param compression {@code compression}: permessage-deflate (RFC 7692) off, offered, or required
   */
  public record Wire(HttpVersion httpVersion, Compression compression) {
    public static final Wire DEFAULT = new Wire(HttpVersion.HTTP_1_1, Compression.OFF);

    public Wire {
      java.util.Objects.requireNonNull(httpVersion, "httpVersion");
      java.util.Objects.requireNonNull(compression, "compression");
    }
  }

  /** The {@code http_version} key: "1.1" or "2". */
  public enum HttpVersion {
    HTTP_1_1("1.1"), HTTP_2("2");

    private final String label;

    HttpVersion(String label) {
      this.label = label;
    }

    /** As written in the config and shown: "1.1" or "2". */
    public String label() {
      return label;
    }
  }

  /** The {@code compression} key: permessage-deflate off, offered (the server may decline), or required. */
  public enum Compression {
    OFF, OFFER, REQUIRE;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * A forward proxy ({@code proxy_url}): the probe connects to it and asks for a tunnel with
   * {@code CONNECT host:port}.
   *
   * @param host     the proxy's host name or address (without brackets)
   * @param port     its port (8080 when the URL has none)
   * @param user     {@code proxy_user}, or null for no credentials
   * @param password {@code proxy_password}/{@code proxy_password_file}; null exactly when user is
   */
  public record Proxy(String host, int port, String user, Secret password) {
    public static final int DEFAULT_PORT = 8080;

    /** host:port as it may be shown (never the credentials). */
    public String address() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
      return "Proxy[" + address() + (user == null ? "" : ", user=" + user + ", password=<secret>") + "]";
    }
  }

  /** The {@code protocol} key: how sessions talk after the upgrade. */
  public enum Protocol {
    RAW, SOCKETIO, HOCUSPOCUS, YWEBSOCKET;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * The application layer of a module.
   *
   * @param protocol   the dialect
   * @param broadcast  a broadcast check, or null
   * @param socketio   Socket.IO settings (protocol socketio), or null
   * @param hocuspocus Hocuspocus settings (protocol hocuspocus), or null
   * @param auth       a login flow run before the sessions open, or null
   */
  public record App(Protocol protocol, Broadcast broadcast, SocketIo socketio,
                    Hocuspocus hocuspocus, Auth auth) {
    public static final App RAW = new App(Protocol.RAW, null, null, null, null);
  }

  /**
   * @param receivers sessions that must each receive the sender's marker
   * @param timeout   how long after sending the marker they may take; null = the rest of the probe's timeout
   * @param settle    how long the sender waits, once every session is ready, before it sends the
   *                  marker: for servers that put a session in its room some time after they
   *                  report it connected (zero = send at once)
   */
  public record Broadcast(int receivers, Duration timeout, Duration settle) {
    public Broadcast(int receivers, Duration timeout) {
      this(receivers, timeout, Duration.ZERO);
    }
  }

  /**
   * @param namespace  Socket.IO namespace, "/" by default
   * @param join       event every session emits after connecting, or null
   * @param marker     event the sender emits as the marker
   * @param auth       the connect packet's auth payload (JSON object text), or null; may hold secrets
   */
  public record SocketIo(String namespace, Event join, Event marker, Secret auth) {
    /**
     * @param json JSON text: an array of arguments for join, an object for the marker's data
     * @param ack  (join only) ask the server to acknowledge the event, and count the session
     *             ready only once it has
     */
    public record Event(String name, String json, boolean ack) {
      public Event(String name, String json) {
        this(name, json, false);
      }
    }
  }

  /**
   * @param document the Hocuspocus document name (Docmost: {@code page.<pageId>})
   * @param token    the token of the Auth message, or null when {@code auth} supplies it
   */
  public record Hocuspocus(String document, Secret token) {}

  /**
   * A login flow ({@code auth: { type: docmost, ... }}).
   *
   * @param baseUrl      the app's HTTP base URL
   * @param insecureHttp the config allows a plain http base URL to a host that is not loopback
   */
  public record Auth(String type, java.net.URI baseUrl, String email, Secret password,
                     boolean insecureHttp) {
    public Auth(String type, java.net.URI baseUrl, String email, Secret password) {
      this(type, baseUrl, email, password, false);
    }
  }

  /**
   * @param caFile             PEM file of trusted CAs; null = the JVM's default trust store
   * @param certFile           PEM client certificate (mutual TLS), or null
   * @param keyFile            PEM private key of {@code certFile}, or null
   * @param serverName         SNI and hostname to verify; null = the URL's host
   * @param insecureSkipVerify accept any certificate (the expiry is still recorded)
   */
  public record Tls(String caFile, String certFile, String keyFile, String serverName,
                    boolean insecureSkipVerify) {
    public static Tls defaults() {
      return new Tls(null, null, null, null, false);
    }
  }

  /**
   * One exchange: send a frame, wait for the answer that matches; or, without a payload, wait for
   * the server's next message that matches (a greeting, a push).
   *
   * @param payload the frame to send (text, or bytes for a binary frame), or null to only wait;
   *                text may use {@code ${capture:name}} of an earlier step's capture
   * @param binary  send a binary frame
   * @param expect  what the answer must look like
   * @param count   how many times to do it; each is one round-trip observation when it sends
   * @param capture values kept from the matching answer, by name: each regex's one group
   */
  public record Message(String payload, boolean binary, Expect expect, int count, Map<String, String> capture) {
    public Message(String payload, boolean binary, Expect expect, int count) {
      this(payload, binary, expect, count, Map.of());
    }

    /** {@code ${capture:name}} in a text payload. */
    public static final java.util.regex.Pattern REFERENCE =
        java.util.regex.Pattern.compile("\\$\\{capture:([^}]*)}");

    public boolean sends() {
      return payload != null;
    }

    public byte[] bytes() {
      return binary ? java.util.Base64.getDecoder().decode(payload)
          : payload.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The payload with each {@code ${capture:name}} replaced by its value in {@code captured}. */
    public byte[] bytes(Map<String, String> captured) {
      if (binary || captured.isEmpty() || !payload.contains("${capture:")) {
        return bytes();
      }
      return REFERENCE.matcher(payload)
          .replaceAll(m -> java.util.regex.Matcher.quoteReplacement(captured.getOrDefault(m.group(1), "")))
          .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /**
   * What an answer must look like. Exactly one kind.
   *
   * @param kind      ECHO (the same payload back), CONTAINS, REGEX, JSON (field at path equals value), ANY
   * @param value     substring, regex or expected JSON value (as text)
   * @param jsonPath  dotted path into a JSON text answer, for JSON
   */
  public record Expect(Kind kind, String value, String jsonPath) {
    public enum Kind { ANY, ECHO, CONTAINS, REGEX, JSON }

    public static Expect echo() {
      return new Expect(Kind.ECHO, null, null);
    }
  }

  /**
   * @param duration     how long to keep the session open and idle
   * @param pingInterval send an RFC 6455 ping this often while holding; null = no pings
   */
  public record Hold(Duration duration, Duration pingInterval) {}
}
