package io.wsprobe.prober;

import io.wsprobe.config.Module;
import io.wsprobe.config.Secret;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the {@link Module} a test probes with, starting from {@link Module#defaults()}. */
final class TestModule {

  private final Map<String, Secret> headers = new LinkedHashMap<>();
  private final List<String> subprotocols = new ArrayList<>();
  private final List<Module.Message> messages = new ArrayList<>();
  private Module.Tls tls = Module.Tls.defaults();
  private Module.IpProtocol ipProtocol = Module.IpProtocol.IP4;
  private long maxMessageBytes = Module.DEFAULT_MAX_MESSAGE_BYTES;
  private Module.Hold hold;
  private Module.App app = Module.App.RAW;
  private Module.Proxy proxy;
  private Module.Wire wire = Module.Wire.DEFAULT;
  private String origin;

  static TestModule module() {
    return new TestModule();
  }

  TestModule header(String name, Secret value) {
    headers.put(name, value);
    return this;
  }

  TestModule subprotocol(String name) {
    subprotocols.add(name);
    return this;
  }

  TestModule echo(String text, int count) {
    messages.add(new Module.Message(text, false, Module.Expect.echo(), count));
    return this;
  }

  TestModule send(String text, Module.Expect.Kind kind, String value, String jsonPath) {
    messages.add(new Module.Message(text, false, new Module.Expect(kind, value, jsonPath), 1));
    return this;
  }

  TestModule message(Module.Message message) {
    messages.add(message);
    return this;
  }

  TestModule tls(Module.Tls tls) {
    this.tls = tls;
    return this;
  }

  TestModule ipProtocol(Module.IpProtocol ipProtocol) {
    this.ipProtocol = ipProtocol;
    return this;
  }

  TestModule maxMessageBytes(long maxMessageBytes) {
    this.maxMessageBytes = maxMessageBytes;
    return this;
  }

  TestModule hold(Duration duration, Duration pingInterval) {
    this.hold = new Module.Hold(duration, pingInterval);
    return this;
  }

  TestModule app(Module.App app) {
    this.app = app;
    return this;
  }

  TestModule proxy(Module.Proxy proxy) {
    this.proxy = proxy;
    return this;
  }

  TestModule origin(String origin) {
    this.origin = origin;
    return this;
  }

  /** http_version "2" (RFC 8441), the compression kept. */
  TestModule h2() {
    this.wire = new Module.Wire(Module.HttpVersion.HTTP_2, wire.compression());
    return this;
  }

  TestModule compression(Module.Compression compression) {
    this.wire = new Module.Wire(wire.httpVersion(), compression);
    return this;
  }

  Module build() {
    return new Module("test", Map.copyOf(headers), origin, List.copyOf(subprotocols), tls, ipProtocol,
        true, maxMessageBytes, List.copyOf(messages), hold, app, java.util.Set.of(), proxy).withWire(wire);
  }
}
