package io.wsprobe.log;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's configuration until the command line sets its own ({@link Logging#configure}):
 * warnings and errors on stderr, as logfmt. Logback finds it through {@code META-INF/services}
 * and runs it before its own file lookup; it sets up in code what a {@code logback.xml} would,
 * without the XML parser that alone took a tenth of {@code wsprobe probe}'s start. A file
 * given with {@code -Dlogback.configurationFile}, or a {@code logback-test.xml} or
 * {@code logback.xml} on the class path (the tests'), still wins.
 */
@ConfiguratorRank(ConfiguratorRank.NOMINAL)
public final class StartupLogging extends ContextAwareBase implements Configurator {

  @Override
  public ExecutionStatus configure(LoggerContext ctx) {
    ClassLoader loader = StartupLogging.class.getClassLoader();
    if (System.getProperty(ContextInitializer.CONFIG_FILE_PROPERTY) != null
        || loader.getResource(ContextInitializer.TEST_AUTOCONFIG_FILE) != null
        || loader.getResource(ContextInitializer.AUTOCONFIG_FILE) != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    Logging.configure(ctx, "warn", Logging.Format.LOGFMT);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
