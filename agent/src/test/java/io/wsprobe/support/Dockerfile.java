package io.wsprobe.support;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * deploy/docker/Dockerfile read as instructions (continuation lines joined, comments dropped),
 * for tests that check it against the repository.
 */
public record Dockerfile(List<Instruction> instructions) {

  public static final String PATH = "deploy/docker/Dockerfile";

  /** One instruction: {@code COPY}, its arguments as written. */
  public record Instruction(String keyword, String args) {}

  public static Dockerfile read() throws IOException {
    List<Instruction> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : Repo.read(PATH).split("\n")) {
      if (current.length() == 0 && (line.isBlank() || line.strip().startsWith("#"))) {
        continue;
      }
      if (line.endsWith("\\")) {
        current.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      current.append(line);
      String text = current.toString().strip();
      current.setLength(0);
      int space = text.indexOf(' ');
      out.add(new Instruction(text.substring(0, space).toUpperCase(java.util.Locale.ROOT), text.substring(space + 1).strip()));
    }
    return new Dockerfile(out);
  }

  public List<Instruction> all(String keyword) {
    return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
  }

  /** The last one of a kind, the one in force in the final stage. */
  public String last(String keyword) {
    List<Instruction> found = all(keyword);
    if (found.isEmpty()) {
      throw new AssertionError(PATH + " has no " + keyword);
    }
    return found.get(found.size() - 1).args();
  }

  /** The strings of an exec-form instruction: {@code ["a", "b"]}. */
  public List<String> execForm(String keyword) {
    String args = last(keyword);
    if (!args.startsWith("[")) {
      throw new AssertionError(PATH + ": " + keyword + " should be in exec form, got " + args);
    }
    List<String> parts = new ArrayList<>();
    Matcher m = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(args);
    while (m.find()) {
      parts.add(m.group(1));
    }
    return parts;
  }

  /** The configuration file the image's default command reads (its documented mount point). */
  public String configPath() {
    return execForm("CMD").stream().filter(a -> a.startsWith("--config.file=")).findFirst()
        .map(a -> a.substring("--config.file=".length()))
        .orElseThrow(() -> new AssertionError(PATH + ": CMD has no --config.file"));
  }

  /** The defaults of the ARGs declared before the first FROM: the ones a FROM line may use. */
  public java.util.Map<String, String> globalArgs() {
    java.util.Map<String, String> args = new java.util.LinkedHashMap<>();
    for (Instruction i : instructions) {
      if (i.keyword().equals("FROM")) {
        break;
      }
      if (i.keyword().equals("ARG")) {
        String[] nameValue = i.args().split("=", 2);
        args.put(nameValue[0], nameValue.length > 1 ? nameValue[1] : "");
      }
    }
    return args;
  }

  /** The image a stage starts from, {@code ${NAME}} filled with the global ARGs' defaults. */
  public String baseImage(String fromArgs) {
    String image = fromArgs.split("\\s+")[0];
    Matcher m = Pattern.compile("\\$\\{(\\w+)}").matcher(image);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = globalArgs().get(m.group(1));
      if (value == null) {
        throw new AssertionError(PATH + ": FROM uses ${" + m.group(1) + "}, which no ARG before the first FROM declares");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    return m.appendTail(out).toString();
  }

  /** The numeric user the image runs as. */
  public int uid() {
    return Integer.parseInt(last("USER").split(":")[0]);
  }
}
