package io.deltasink.connect.delta.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Captures, while open, every log event of the named loggers at the given levels (messages and the
 * messages of thrown exceptions and their causes), for tests that search the logs, for example for
 * secrets. Events at WARN and above still reach the console.
 */
public final class LogCapture implements AutoCloseable {
  private final StringBuilder text = new StringBuilder();
  private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
  private final List<String> added = new ArrayList<>();
  private final Map<LoggerConfig, Level> changed = new java.util.HashMap<>();
  private final AbstractAppender appender;

  public LogCapture(Map<String, Level> levels) {
    Configuration config = context.getConfiguration();
    appender =
        new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
          @Override
          public void append(LogEvent e) {
            synchronized (text) {
              text.append(e.getLevel())
                  .append(' ')
                  .append(e.getLoggerName())
                  .append(" - ")
                  .append(e.getMessage().getFormattedMessage())
                  .append('\n');
              for (Throwable t = e.getThrown(); t != null; t = t.getCause()) {
                text.append("  ").append(t).append('\n');
              }
            }
          }
        };
    appender.start();
    for (Map.Entry<String, Level> e : levels.entrySet()) {
      LoggerConfig existing = config.getLoggerConfig(e.getKey());
      if (existing.getName().equals(e.getKey())) {
        // Configured already (log4j2-test.properties): raise its level and add the capture for now.
        changed.put(existing, existing.getLevel());
        existing.setLevel(e.getValue());
        existing.addAppender(appender, null, null);
        continue;
      }
      LoggerConfig lc =
          LoggerConfig.newBuilder()
              .withLoggerName(e.getKey())
              .withLevel(e.getValue())
              .withAdditivity(false)
              .withConfig(config)
              .build();
      lc.addAppender(appender, null, null);
      if (config.getAppender("console") != null) {
        lc.addAppender(config.getAppender("console"), Level.WARN, null);
      }
      config.addLogger(e.getKey(), lc);
      added.add(e.getKey());
    }
    context.updateLoggers();
  }

  public String text() {
    synchronized (text) {
      return text.toString();
    }
  }

  @Override
  public void close() {
    Configuration config = context.getConfiguration();
    for (String name : added) {
      config.removeLogger(name);
    }
    changed.forEach(
        (lc, level) -> {
          lc.removeAppender(appender.getName());
          lc.setLevel(level);
        });
    context.updateLoggers();
    appender.stop();
  }
}
