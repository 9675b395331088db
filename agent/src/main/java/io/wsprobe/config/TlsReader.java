package io.wsprobe.config;

import static io.wsprobe.config.NodeReader.child;

import io.wsprobe.config.Module.Tls;
import io.wsprobe.config.NodeReader.Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/** A module's {@code tls:} block; its files must exist and be readable. */
final class TlsReader {

  static final List<String> KEYS =
      List.of("ca_file", "cert_file", "key_file", "server_name", "insecure_skip_verify");

  private final NodeReader reader;
  private final Path baseDir;
  private final ConfigValidator validator;

  TlsReader(NodeReader reader, Path baseDir, ConfigValidator validator) {
    this.reader = reader;
    this.baseDir = baseDir;
    this.validator = validator;
  }

  Tls read(Node node, String path) {
    Map<String, Entry> keys = reader.mapping(node, path, KEYS);
    if (keys == null) {
      return Tls.defaults();
    }
    String caFile = file(keys.get("ca_file"), path);
    String certFile = file(keys.get("cert_file"), path);
    String keyFile = file(keys.get("key_file"), path);
    validator.certificateWithKey(keys.get("cert_file"), keys.get("key_file"), path);
    String serverName = null;
    Entry serverNameKey = keys.get("server_name");
    if (serverNameKey != null) {
      serverName = reader.nonEmptyString(serverNameKey.value(), child(path, "server_name"));
    }
    boolean insecure = false;
    Entry insecureKey = keys.get("insecure_skip_verify");
    if (insecureKey != null) {
      Boolean value = reader.bool(insecureKey.value(), child(path, "insecure_skip_verify"));
      insecure = value != null && value;
    }
    return new Tls(caFile, certFile, keyFile, serverName, insecure);
  }

  private String file(Entry entry, String tlsPath) {
    return file(reader, baseDir, entry, tlsPath);
  }

  /**
   * A file named by {@code entry} (a key of {@code parentPath}) that exists and is readable, its
   * path resolved against {@code baseDir}; null when not set or not usable (reported). The web
   * config's TLS files too.
   */
  static String file(NodeReader reader, Path baseDir, Entry entry, String parentPath) {
    if (entry == null) {
      return null;
    }
    String path = child(parentPath, entry.key());
    String file = reader.nonEmptyString(entry.value(), path);
    if (file == null) {
      return null;
    }
    String problem = fileProblem(baseDir.resolve(file));
    if (problem != null) {
      reader.error(entry.value(), path, "cannot read file " + file + ": " + problem);
      return null;
    }
    return baseDir.resolve(file).toString();
  }

  /** Why a TLS file cannot be used, or null. */
  static String fileProblem(Path resolved) {
    return !Files.exists(resolved) ? "no such file"
        : Files.isDirectory(resolved) ? "is a directory"
        : !Files.isReadable(resolved) ? "permission denied" : null;
  }
}
