package io.wsprobe.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The repository's own files, as the deploy tests read them (Maven runs tests in agent/). */
public final class Repo {

  private Repo() {}

  public static Path root() {
    Path root = Path.of("..").toAbsolutePath().normalize();
    if (!Files.isRegularFile(root.resolve("agent/pom.xml"))) {
      throw new IllegalStateException("tests must run in the agent module's directory, not " + Path.of("").toAbsolutePath());
    }
    return root;
  }

  public static Path file(String relative) {
    return root().resolve(relative);
  }

  public static String read(String relative) throws IOException {
    return Files.readString(file(relative));
  }

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)}");

  /** Replaces every {@code ${NAME}} by its value; a placeholder without a value is an error. */
  public static String fill(String text, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new AssertionError("no value for placeholder ${" + m.group(1) + "}");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The placeholders a file uses, in order of first use. */
  public static java.util.Set<String> placeholders(String text) {
    java.util.Set<String> names = new java.util.LinkedHashSet<>();
    Matcher m = PLACEHOLDER.matcher(text);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }
}
