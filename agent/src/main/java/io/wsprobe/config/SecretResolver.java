package io.wsprobe.config;

import static io.wsprobe.config.NodeReader.child;

import io.wsprobe.config.NodeReader.Entry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Resolves the values that may hold secrets: {@code ${env:NAME}} and {@code ${file:path}}
 * references inside a value, and the {@code *_file} keys (bearer_token_file, token_file,
 * password_file). Messages name the variable or the file, never a value nor the rest of the text.
 */
final class SecretResolver {

  /** A secret file ({@code *_file}, {@code ${file:...}}): a token, a password, a cookie. */
  static final int MAX_SECRET_FILE_BYTES = 64 * 1024;

  private static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|file):([^}]*)}");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final NodeReader reader;
  private final Path baseDir;
  private final Function<String, String> env;
  /** Whether {@code ${...}} references are resolved: not in values typed on a command line. */
  private final boolean references;

  SecretResolver(NodeReader reader, Path baseDir, Function<String, String> env) {
    this(reader, baseDir, Objects.requireNonNull(env, "env"), true);
  }

  private SecretResolver(NodeReader reader, Path baseDir, Function<String, String> env,
                         boolean references) {
    this.reader = reader;
    this.baseDir = baseDir;
    this.env = env;
    this.references = references;
  }

  /** A resolver that takes every value literally, as {@code wsprobe probe --header} always did. */
  static SecretResolver literal(NodeReader reader, Path baseDir) {
    return new SecretResolver(reader, baseDir, name -> null, false);
  }

  /**
   * A value written literally, with {@code ${env:NAME}} and {@code ${file:path}} references
   * replaced (anywhere in it, e.g. {@code authToken=${env:TOKEN}}). A value with a reference is
   * secret.
   */
  Secret value(Node node, String path, boolean sensitive) {
    String raw = reader.string(node, path);
    if (raw == null || !references) {
      return raw == null ? null : new Secret(raw, sensitive);
    }
    Matcher reference = REFERENCE.matcher(raw);
    StringBuilder value = new StringBuilder();
    boolean referenced = false;
    boolean resolved = true;
    int literalStart = 0;
    while (reference.find()) {
      String literal = raw.substring(literalStart, reference.start());
      if (literal.contains("${")) {
        break; // reported below as a malformed reference
      }
      value.append(literal);
      literalStart = reference.end();
      referenced = true;
      String part = resolveReference(reference.group(1), reference.group(2), node, path);
      if (part == null) {
        resolved = false;
      } else {
        value.append(part);
      }
    }
    if (raw.indexOf("${", literalStart) >= 0) {
      reader.error(node, path, "malformed reference; write ${env:NAME} or ${file:path}");
      return null;
    }
    value.append(raw, literalStart, raw.length());
    return resolved ? new Secret(value.toString(), sensitive || referenced) : null;
  }

  /** The value of whichever of {@code value} or {@code file} is set (one is); always secret. */
  Secret valueOrFile(Entry value, Entry file, String path) {
    if (value != null) {
      return value(value.value(), child(path, value.key()), true);
    }
    String content = file(file, child(path, file.key()));
    return content == null ? null : new Secret(content, true);
  }

  /** The content of the secret file a {@code *_file} key names; null when unreadable (reported). */
  String file(Entry file, String path) {
    String name = reader.nonEmptyString(file.value(), path);
    return name == null ? null : readFile(name, file.value(), path);
  }

  /** The value of one {@code ${kind:argument}} reference; null when it has none (reported). */
  private String resolveReference(String kind, String argument, Node node, String path) {
    if (kind.equals("file")) {
      if (argument.isEmpty()) {
        reader.error(node, path, "${file:} needs a path");
        return null;
      }
      return readFile(argument, node, path);
    }
    if (!ENV_NAME.matcher(argument).matches()) {
      reader.error(node, path, "invalid environment variable name in ${env:...}; it must match "
          + ENV_NAME.pattern());
      return null;
    }
    String value = env.apply(argument);
    if (value == null) {
      reader.error(node, path, "environment variable " + argument + " is not set");
    } else if (value.isEmpty()) {
      reader.error(node, path, "environment variable " + argument + " is empty");
    }
    return value == null || value.isEmpty() ? null : value;
  }

  /** A secret file's content without its trailing line breaks; null when unreadable (reported). */
  private String readFile(String file, Node node, String path) {
    Path resolved = baseDir.resolve(file);
    String content;
    try (InputStream in = Files.newInputStream(resolved)) {
      // at most one byte over the limit: a path to a device or a log must not fill the memory
      byte[] bytes = in.readNBytes(MAX_SECRET_FILE_BYTES + 1);
      if (bytes.length > MAX_SECRET_FILE_BYTES) {
        reader.error(node, path, "cannot read file " + file + ": more than the "
            + Sizes.format(MAX_SECRET_FILE_BYTES) + " limit");
        return null;
      }
      content = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (IOException e) {
      reader.error(node, path, "cannot read file " + file + ": " + reason(resolved, e));
      return null;
    }
    int end = content.length();
    while (end > 0 && (content.charAt(end - 1) == '\n' || content.charAt(end - 1) == '\r')) {
      end--;
    }
    if (end == 0) {
      reader.error(node, path, "file " + file + " is empty");
      return null;
    }
    return content.substring(0, end);
  }

  /** Why a file could not be read, without the file's content. */
  static String reason(Path file, IOException e) {
    if (Files.isDirectory(file)) {
      return "is a directory";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof CharacterCodingException) {
      return "not valid UTF-8 text";
    }
    return e.getClass().getSimpleName();
  }
}
