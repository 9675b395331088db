package io.wsprobe.config;

import static io.wsprobe.config.NodeReader.child;

import io.wsprobe.config.Module.Proxy;
import io.wsprobe.config.NodeReader.Entry;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/**
 * A module's forward proxy: {@code proxy_url} ({@code http://host:port}, nothing else) and its
 * credentials, {@code proxy_user} with {@code proxy_password} or {@code proxy_password_file}
 * (secrets: {@code ${env:...}}, {@code ${file:...}}), never in the URL.
 */
final class ProxyReader {

  private final NodeReader reader;
  private final SecretResolver secrets;

  ProxyReader(NodeReader reader, SecretResolver secrets) {
    this.reader = reader;
    this.secrets = secrets;
  }

  /** The proxy of the module at {@code path}, or null when it has none or a mistake (reported). */
  Proxy read(Node module, Map<String, Entry> keys, String path) {
    Entry urlKey = keys.get("proxy_url");
    Entry userKey = keys.get("proxy_user");
    Entry passwordKey = keys.get("proxy_password");
    Entry passwordFile = keys.get("proxy_password_file");
    if (urlKey == null) {
      for (Entry e : new Entry[] {userKey, passwordKey, passwordFile}) {
        if (e != null) {
          reader.error(e.keyNode(), child(path, e.key()), "needs proxy_url");
        }
      }
      return null;
    }
    String urlPath = child(path, "proxy_url");
    URI url = url(urlKey.value(), urlPath);

    String user = null;
    Secret password = null;
    boolean credentialsOk = true;
    if (userKey != null) {
      String userPath = child(path, "proxy_user");
      user = reader.nonEmptyString(userKey.value(), userPath);
      if (user != null && (user.indexOf(':') >= 0 || user.chars().anyMatch(c -> c < 0x20 || c == 0x7f))) {
        reader.error(userKey.value(), userPath, "must not contain ':' or control characters");
        user = null;
      }
      credentialsOk = user != null;
    }
    if (passwordKey != null && passwordFile != null) {
      reader.error(passwordFile.keyNode(), path,
          "set exactly one of proxy_password and proxy_password_file, not both");
      credentialsOk = false;
    } else if (passwordKey != null || passwordFile != null) {
      Entry used = passwordKey != null ? passwordKey : passwordFile;
      if (userKey == null) {
        reader.error(used.keyNode(), child(path, used.key()), "needs proxy_user");
        credentialsOk = false;
      } else {
        password = secrets.valueOrFile(passwordKey, passwordFile, path);
        credentialsOk &= password != null;
      }
    } else if (userKey != null) {
      reader.error(userKey.keyNode(), path, "proxy_user needs proxy_password or proxy_password_file");
      credentialsOk = false;
    }
    if (url == null || !credentialsOk) {
      return null;
    }
    String host = url.getHost();
    if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    return new Proxy(host, url.getPort() < 0 ? Proxy.DEFAULT_PORT : url.getPort(), user, password);
  }

  private URI url(Node node, String path) {
    String text = reader.nonEmptyString(node, path);
    if (text == null) {
      return null;
    }
    String problem;
    URI url = null;
    try {
      url = new URI(text);
      problem = problem(url);
    } catch (URISyntaxException e) {
      problem = "not a valid URL: " + e.getReason() + (e.getIndex() >= 0 ? " at index " + e.getIndex() : "");
    }
    if (problem != null) {
      reader.error(node, path, problem);
      return null;
    }
    return url;
  }

  private static String problem(URI url) {
    String scheme = url.getScheme();
    if (scheme == null) {
      return "must be an absolute URL http://host:port";
    } else if (!scheme.equalsIgnoreCase("http")) {
      return "scheme must be http (the probe speaks plain HTTP to the proxy and TLS through its"
          + " tunnel), got " + scheme;
    } else if (url.getRawUserInfo() != null) {
      return "must not contain credentials (user:password@); use proxy_user and proxy_password";
    } else if (url.getHost() == null) {
      return "must have a host";
    } else if (url.getPort() == 0 || url.getPort() > 65535) {
      return "port must be between 1 and 65535, got " + url.getPort();
    } else if (!(url.getRawPath() == null || url.getRawPath().isEmpty() || url.getRawPath().equals("/"))
        || url.getRawQuery() != null || url.getRawFragment() != null) {
      return "must be http://host:port, without a path, query or fragment";
    }
    return null;
  }
}
