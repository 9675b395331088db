package io.wsprobe.config;

import static io.wsprobe.config.NodeReader.child;
import static io.wsprobe.config.NodeReader.item;

import io.wsprobe.config.NodeReader.Entry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/** The {@code web:} section: {@code probe_allow}, the URLs {@code /probe} may probe on request. */
final class ProbeAllowReader {

  static final List<String> KEYS = List.of("probe_allow");
  static final List<String> RULE_KEYS = List.of("scheme", "host", "port", "path");

  /** Letters, digits, {@code - . _ :} (IPv6) and the glob's {@code *}. */
  private static final Pattern HOST = Pattern.compile("[a-z0-9*._:-]+");

  private final NodeReader reader;

  ProbeAllowReader(NodeReader reader) {
    this.reader = reader;
  }

  ProbeAllow read(Entry section) {
    if (section == null) {
      return ProbeAllow.NONE;
    }
    Map<String, Entry> keys = reader.mapping(section.value(), "web", KEYS);
    Entry allow = keys == null ? null : keys.get("probe_allow");
    if (allow == null) {
      return ProbeAllow.NONE;
    }
    String path = "web.probe_allow";
    List<Node> items = reader.list(allow.value(), path);
    List<ProbeAllow.Rule> rules = new ArrayList<>();
    for (int i = 0; items != null && i < items.size(); i++) {
      ProbeAllow.Rule rule = rule(items.get(i), item(path, i));
      if (rule != null) {
        rules.add(rule);
      }
    }
    return new ProbeAllow(rules);
  }

  private ProbeAllow.Rule rule(Node node, String path) {
    Map<String, Entry> keys = reader.mapping(node, path, RULE_KEYS);
    if (keys == null) {
      return null;
    }
    boolean ok = !NodeReader.hasUnknown(keys, RULE_KEYS);
    String scheme = null;
    Entry schemeKey = keys.get("scheme");
    if (schemeKey != null) {
      scheme = reader.nonEmptyString(schemeKey.value(), child(path, "scheme"));
      if (scheme != null && !scheme.equals("ws") && !scheme.equals("wss")) {
        reader.error(schemeKey.value(), child(path, "scheme"), "must be ws or wss, got " + scheme);
        scheme = null;
      }
      ok &= scheme != null;
    }
    String host = null;
    Entry hostKey = keys.get("host");
    if (hostKey == null) {
      reader.error(node, child(path, "host"), "missing required key (\"*\" allows every host)");
    } else {
      host = reader.nonEmptyString(hostKey.value(), child(path, "host"));
      if (host != null) {
        host = host.toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
          host = host.substring(1, host.length() - 1);
        }
        if (!HOST.matcher(host).matches()) {
          reader.error(hostKey.value(), child(path, "host"), "a host name, an address or a glob with *;"
              + " letters, digits, '.', '-', '_', ':' and '*' only");
          host = null;
        }
      }
    }
    int port = 0;
    Entry portKey = keys.get("port");
    if (portKey != null) {
      Long value = reader.integer(portKey.value(), child(path, "port"));
      if (value != null && (value < 1 || value > 65535)) {
        reader.error(portKey.value(), child(path, "port"), "must be between 1 and 65535, got " + value);
        value = null;
      }
      ok &= value != null;
      port = value == null ? 0 : value.intValue();
    }
    String glob = null;
    Entry pathKey = keys.get("path");
    if (pathKey != null) {
      glob = reader.nonEmptyString(pathKey.value(), child(path, "path"));
      if (glob != null && !glob.startsWith("/")) {
        reader.error(pathKey.value(), child(path, "path"), "must start with /, got " + glob);
        glob = null;
      }
      ok &= glob != null;
    }
    return ok && host != null ? new ProbeAllow.Rule(scheme, host, port, glob) : null;
  }
}
