package io.wsprobe.config;

import java.nio.file.Path;

/**
 * The section readers of one read, wired to one {@link NodeReader} (which collects the errors),
 * one {@link ConfigValidator} and one {@link SecretResolver}: for a file ({@link ConfigLoader})
 * and for the options of {@code wsprobe probe} ({@link CommandLineModule}) alike.
 */
final class Readers {

  final GlobalReader global;
  final ModuleReader modules;
  final TargetReader targets;
  final ProbeAllowReader probeAllow;

  /** @param baseDir the directory that relative TLS file paths resolve against */
  Readers(NodeReader reader, SecretResolver secrets, Path baseDir) {
    ConfigValidator validator = new ConfigValidator(reader);
    LabelReader labels = new LabelReader(reader);
    UrlReader urls = new UrlReader(reader);
    AppReader app = new AppReader(reader, secrets,
        new SocketIoReader(reader, secrets, new JsonValues(reader)),
        new AuthReader(reader, secrets, urls, validator), validator);
    this.global = new GlobalReader(reader, labels, validator);
    this.modules = new ModuleReader(reader, new RequestReader(reader, secrets, validator),
        new TlsReader(reader, baseDir, validator), new MessageReader(reader), app,
        new ProxyReader(reader, secrets), validator);
    this.targets = new TargetReader(reader, labels, urls, validator);
    this.probeAllow = new ProbeAllowReader(reader);
  }
}
