package io.wsprobe.config;

import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Composes YAML text into a node tree within set limits, in time linear in the text's length,
 * and puts a line on every failure, including those SnakeYAML reports for the whole file.
 */
final class YamlText {

  /** Largest configuration text, in bytes of UTF-8 (and so at most this many code points). */
  static final int MAX_BYTES = 4 * 1024 * 1024;
  /** Aliases to lists or mappings; each one can double what a value expands to. */
  static final int MAX_COLLECTION_ALIASES = 50;
  /** Lists and mappings inside each other. */
  static final int MAX_NESTING = 50;

  private YamlText() {
  }

  /** The root node, or null for an empty document; a YAML mistake is one error with its line. */
  static Node compose(String text, String source) throws ConfigException {
    int[] codePoints = text.codePoints().toArray();
    for (int i = 0; i < codePoints.length; i++) {
      if (!StreamReader.isPrintable(codePoints[i])) {
        throw error(source, lineAt(codePoints, i), "invalid YAML: contains "
            + codePoint(codePoints[i]) + ", a control character YAML does not allow");
      }
    }
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(MAX_BYTES);
    options.setMaxAliasesForCollections(MAX_COLLECTION_ALIASES);
    options.setNestingDepthLimit(MAX_NESTING);
    options.setAllowRecursiveKeys(false);
    // duplicate keys are reported by NodeReader, with the line of the first one
    options.setAllowDuplicateKeys(true);
    MarkingParser parser = new MarkingParser(new ParserImpl(new TextReader(codePoints), options));
    try {
      return new Composer(parser, new Resolver(), options).getSingleNode();
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
      if (e.getProblem() != null && e.getContext() != null) {
        problem += " (" + e.getContext() + ")";
      }
      throw error(source, mark == null ? parser.line() : mark.getLine() + 1,
          "invalid YAML: " + problem);
    } catch (YAMLException e) {
      // the alias, nesting and recursion limits: SnakeYAML gives no mark, the last event has one
      throw error(source, parser.line(), "invalid YAML: " + e.getMessage());
    }
  }

  /** {@code U+202E}: a code point named without printing it. */
  static String codePoint(int c) {
    return String.format("U+%04X", c);
  }

  private static int lineAt(int[] codePoints, int end) {
    int line = 1;
    for (int i = 0; i < end; i++) {
      if (codePoints[i] == '\n') {
        line++;
      }
    }
    return line;
  }

  private static ConfigException error(String source, int line, String message) {
    return new ConfigException(List.of(new ConfigError(source, line, "", message)));
  }

  /** Remembers where the last event read starts, for the errors that carry no mark. */
  private static final class MarkingParser implements Parser {
    private final Parser parser;
    private Event last;

    MarkingParser(Parser parser) {
      this.parser = parser;
    }

    int line() {
      return last == null || last.getStartMark() == null ? 1 : last.getStartMark().getLine() + 1;
    }

    @Override
    public boolean checkEvent(Event.ID choice) {
      return parser.checkEvent(choice);
    }

    @Override
    public Event peekEvent() {
      return parser.peekEvent();
    }

    @Override
    public Event getEvent() {
      last = parser.getEvent();
      return last;
    }
  }

  /**
   * SnakeYAML's {@link StreamReader} with the whole text in one array. The original reads 1024
   * characters at a time and copies its window from the start of the current token on each read,
   * so one long token (a comment, a scalar, a run of spaces) costs its length squared: 14 s for
   * a 4 MB line. Here {@code peek} and {@code prefix} index the array; the line and column
   * bookkeeping is the original's.
   */
  private static final class TextReader extends StreamReader {
    private static final String LINE_BREAKS = "\n\u0085\u2028\u2029";

    private final int[] text;
    private int pointer;
    private int index;
    private int documentIndex;
    private int line;
    private int column;

    TextReader(int[] text) {
      super("");
      this.text = text;
    }

    @Override
    public Mark getMark() {
      return new Mark("'reader'", index, line, column, text, pointer);
    }

    @Override
    public void forward() {
      forward(1);
    }

    @Override
    public void forward(int length) {
      for (int i = 0; i < length && pointer < text.length; i++) {
        int c = text[pointer++];
        index++;
        documentIndex++;
        if (LINE_BREAKS.indexOf(c) >= 0
            || c == '\r' && pointer < text.length && text[pointer] != '\n') {
          line++;
          column = 0;
        } else if (c != 0xFEFF) {
          column++;
        }
      }
    }

    @Override
    public int peek() {
      return pointer < text.length ? text[pointer] : '\0';
    }

    @Override
    public int peek(int offset) {
      return pointer + offset < text.length ? text[pointer + offset] : '\0';
    }

    @Override
    public String prefix(int length) {
      return length == 0 ? "" : new String(text, pointer, Math.min(length, text.length - pointer));
    }

    @Override
    public String prefixForward(int length) {
      String prefix = prefix(length);
      // as in the original: a prefix never holds a line break
      pointer += length;
      index += length;
      documentIndex += length;
      column += length;
      return prefix;
    }

    @Override
    public int getColumn() {
      return column;
    }

    @Override
    public int getDocumentIndex() {
      return documentIndex;
    }

    @Override
    public void resetDocumentIndex() {
      documentIndex = 0;
    }

    @Override
    public int getIndex() {
      return index;
    }

    @Override
    public int getLine() {
      return line;
    }
  }
}
