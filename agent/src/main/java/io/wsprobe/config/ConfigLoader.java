package io.wsprobe.config;

import io.wsprobe.config.NodeReader.Entry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads and validates a wsprobe YAML configuration (see CONFIGURATION.md), in stages:
 *
 * <ol>
 *   <li>parse: the text, within its size limit, into SnakeYAML nodes ({@link YamlText}); every
 *       node keeps its line;
 *   <li>read: one reader per section builds the immutable records ({@link GlobalReader},
 *       {@link ModuleReader} with {@link RequestReader}, {@link TlsReader},
 *       {@link MessageReader}, {@link AppReader}, {@link SocketIoReader}, {@link AuthReader};
 *       {@link TargetReader}, {@link ProbeAllowReader}), typing every key through {@link NodeReader}, rejecting unknown
 *       keys and resolving secrets through {@link SecretResolver};
 *   <li>validate: the rules between settings ({@link ConfigValidator}), applied as each value is
 *       typed.
 * </ol>
 *
 * <p>Every mistake is collected with its line and YAML path; the result is either a complete
 * {@link Config} or a {@link ConfigException} listing all of them. No error message ever
 * contains a secret value.
 */
public final class ConfigLoader {

  static final List<String> TOP_KEYS = List.of("global", "modules", "targets", "target_files", "web");

  private final String source;
  private final NodeReader reader;
  private final Readers readers;

  private final Path baseDir;

  private ConfigLoader(String source, Path baseDir, Function<String, String> env) {
    this.source = source;
    this.reader = new NodeReader(source);
    this.baseDir = baseDir == null ? Path.of("") : baseDir;
    this.readers = new Readers(reader, new SecretResolver(reader, this.baseDir, env), this.baseDir);
  }

  /**
   * Loads a configuration file. Relative paths in it resolve against the file's directory and
   * {@code ${env:NAME}} reads the process environment.
   */
  public static Config load(Path file) throws ConfigException {
    String text = read(file);
    Path baseDir = file.toAbsolutePath().getParent();
    return parse(text, file.toString(), baseDir, System::getenv);
  }

  /**
   * The file as UTF-8 text, at most {@link YamlText#MAX_BYTES}: the size is checked first, and
   * no more than one byte over the limit is read, so a growing file or a device cannot get around
   * it. Target files are read the same way, within the same limits.
   */
  static String read(Path file) throws ConfigException {
    String source = file.toString();
    byte[] bytes;
    try {
      long size = Files.isRegularFile(file) ? Files.size(file) : 0;
      if (size > YamlText.MAX_BYTES) {
        throw tooLarge(source, size);
      }
      try (InputStream in = Files.newInputStream(file)) {
        bytes = in.readNBytes(YamlText.MAX_BYTES + 1);
      }
    } catch (IOException e) {
      throw new ConfigException(List.of(
          new ConfigError(source, 0, "", "cannot read file: " + SecretResolver.reason(file, e))));
    }
    if (bytes.length > YamlText.MAX_BYTES) {
      throw tooLarge(source, -1);
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(in, out, true);
    if (result.isError()) {
      int at = in.position();
      int line = 1;
      for (int i = 0; i < at; i++) {
        if (bytes[i] == '\n') {
          line++;
        }
      }
      throw new ConfigException(List.of(new ConfigError(source, line, "",
          String.format(Locale.ROOT, "not valid UTF-8 text (byte 0x%02X)", bytes[at] & 0xff))));
    }
    return out.flip().toString();
  }

  private static ConfigException tooLarge(String source, long size) {
    String limit = Sizes.format(YamlText.MAX_BYTES);
    String shown = String.format(Locale.ROOT, "%.1fMiB", size / (1024.0 * 1024));
    if (shown.equals(String.format(Locale.ROOT, "%.1fMiB", YamlText.MAX_BYTES / (1024.0 * 1024)))) {
      shown = size + " bytes"; // just over the limit: "4.0MiB" would read as within it
    }
    return new ConfigException(List.of(new ConfigError(source, 0, "", size < 0
        ? "file is more than the " + limit + " limit"
        : "file is " + shown + ", more than the " + limit + " limit")));
  }

  /**
   * Parses and validates configuration text.
   *
   * @param yaml       the YAML text; empty text is a valid configuration without targets
   * @param sourceName how errors and {@link Config#source()} name it, usually the file name
   * @param baseDir    directory that relative file paths resolve against; null = working dir
   * @param env        environment lookup for {@code ${env:NAME}}; returns null when unset
   */
  public static Config parse(String yaml, String sourceName, Path baseDir,
                             Function<String, String> env) throws ConfigException {
    return new ConfigLoader(sourceName, baseDir, env).run(yaml);
  }

  private Config run(String yaml) throws ConfigException {
    if (yaml.length() > YamlText.MAX_BYTES) {
      throw tooLarge(source, yaml.length());
    }
    Node root = YamlText.compose(yaml, source);

    Global globalSettings;
    Map<String, Module> moduleMap = new LinkedHashMap<>();
    List<Target> targetList;
    TargetFiles targetFiles;
    ProbeAllow probeAllow;
    try {
      Map<String, Entry> top = reader.mapping(root, "", TOP_KEYS);
      if (top == null) {
        throw failure();
      }
      globalSettings = readers.global.read(top.get("global"));
      moduleMap.put(Module.DEFAULT_NAME, Module.defaults());
      Set<String> moduleNames = readers.modules.read(top.get("modules"), moduleMap);
      targetList = readers.targets.read(top.get("targets"), globalSettings, moduleMap, moduleNames);
      targetFiles = readers.targets.files(top.get("target_files"), baseDir);
      probeAllow = readers.probeAllow.read(top.get("web"));
    } catch (NodeReader.Stopped e) {
      throw failure();
    }

    if (!reader.errors().isEmpty()) {
      throw failure();
    }
    return new Config(source, globalSettings, Collections.unmodifiableMap(moduleMap),
        List.copyOf(targetList), targetFiles, probeAllow);
  }

  private ConfigException failure() {
    List<ConfigError> errors = new ArrayList<>(reader.errors());
    errors.sort(Comparator.comparingInt(ConfigError::line)); // stable: same-line order kept
    return new ConfigException(errors);
  }
}
