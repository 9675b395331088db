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
 */
public record Module(String name, Map<String, Secret> headers, String origin,
                     List<String> subprotocols, Tls tls, IpProtocol ipProtocol,
                     boolean ipProtocolFallback, long maxMessageBytes, List<Message> messages,
                     Hold hold) {

  public static final String DEFAULT_NAME = "default";
  public static final long DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

  public static Module defaults() {
    return new Module(DEFAULT_NAME, Map.of(), null, List.of(), Tls.defaults(), IpProtocol.IP4, true,
        DEFAULT_MAX_MESSAGE_BYTES, List.of(), null);
  }

  public enum IpProtocol { IP4, IP6 }

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
   * One exchange: send a frame, wait for the answer that matches.
   *
   * @param payload the frame to send (text, or bytes for a binary frame)
   * @param binary  send a binary frame
   * @param expect  what the answer must look like
   * @param count   how many times to do it; each is one round-trip observation
   */
  public record Message(String payload, boolean binary, Expect expect, int count) {
    public byte[] bytes() {
      return binary ? java.util.Base64.getDecoder().decode(payload)
          : payload.getBytes(java.nio.charset.StandardCharsets.UTF_8);
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
