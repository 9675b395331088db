package io.wsprobe.config;

/**
 * A configured value that may be secret. It never prints itself: {@link #toString()} gives
 * {@code <secret>} for a secret so a log, trace or error cannot leak it by accident.
 *
 * @param value  the resolved value, to put on the wire only
 * @param secret whether it came from {@code ${env:..}}/{@code ${file:..}} or a sensitive header
 */
public record Secret(String value, boolean secret) {

  public static final String REDACTED = "<secret>";

  public static Secret plain(String value) {
    return new Secret(value, false);
  }

  /** What a human may see: the value when not secret. */
  public String shown() {
    return secret ? REDACTED : value;
  }

  @Override
  public String toString() {
    return shown();
  }
}
