package io.wsprobe;

import java.io.InputStream;
import java.util.Properties;

/** Version and git revision, filled in by the build (resource {@code wsprobe-version.properties}). */
public final class Version {
  public static final String VERSION;
  public static final String REVISION;

  static {
    Properties p = new Properties();
    try (InputStream in = Version.class.getResourceAsStream("/wsprobe-version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (Exception ignored) {
      // a build without the resource reports "unknown"
    }
    VERSION = clean(p.getProperty("version"));
    REVISION = clean(p.getProperty("revision"));
  }

  private static String clean(String v) {
    return v == null || v.isBlank() || v.startsWith("${") ? "unknown" : v;
  }

  private Version() {}
}
