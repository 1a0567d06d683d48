package io.strata.server.config;

import java.util.Set;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.spi.ExtendedLogger;

/**
 * Logging a message with key/value fields, each of which becomes a top-level key of the JSON
 * line with its JSON type kept:
 * <pre>{@code
 * private static final StructuredLog LOG = StructuredLog.of(RaftNode.class);
 * LOG.info("became leader", "term", term, "member-id", id);
 * LOG.warn("failed to send", error, "to", peer);
 * }</pre>
 * Field names follow etcd's (lower case, dash separated). SLF4J's fluent API
 * ({@code log.atInfo().addKeyValue("k", v).log("msg")}) also yields top-level keys, but with
 * every value as a string.
 */
public final class StructuredLog {

    private static final String FQCN = StructuredLog.class.getName();
    private static final Set<String> RESERVED = Set.of("level", "ts", "caller", "msg", "error", "stacktrace");

    private final ExtendedLogger logger;

    private StructuredLog(ExtendedLogger logger) {
        this.logger = logger;
    }

    public static StructuredLog of(Class<?> owner) {
        return new StructuredLog((ExtendedLogger) LogManager.getLogger(owner));
    }

    public boolean isDebugEnabled() {
        return logger.isDebugEnabled();
    }

    public void debug(String msg, Object... keyValues) {
        log(Level.DEBUG, msg, null, keyValues);
    }

    public void info(String msg, Object... keyValues) {
        log(Level.INFO, msg, null, keyValues);
    }

    public void warn(String msg, Object... keyValues) {
        log(Level.WARN, msg, null, keyValues);
    }

    /** Logs {@code error}'s message as the {@code error} field and its stack as {@code stacktrace}. */
    public void warn(String msg, Throwable error, Object... keyValues) {
        log(Level.WARN, msg, error, keyValues);
    }

    public void error(String msg, Object... keyValues) {
        log(Level.ERROR, msg, null, keyValues);
    }

    public void error(String msg, Throwable error, Object... keyValues) {
        log(Level.ERROR, msg, error, keyValues);
    }

    /** Logs at etcd's fatal level; stopping the process is the caller's business. */
    public void fatal(String msg, Throwable error, Object... keyValues) {
        log(Level.FATAL, msg, error, keyValues);
    }

    private void log(Level level, String msg, Throwable error, Object[] keyValues) {
        if (!logger.isEnabled(level)) {
            return;
        }
        logger.logIfEnabled(FQCN, level, null, message(msg, keyValues), error);
    }

    static FieldsMessage message(String msg, Object[] keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("odd number of key/value arguments for \"" + msg + "\"");
        }
        FieldsMessage message = new FieldsMessage(msg, keyValues.length / 2);
        for (int i = 0; i < keyValues.length; i += 2) {
            Object key = keyValues[i];
            if (!(key instanceof String) || RESERVED.contains(key)) {
                throw new IllegalArgumentException("bad log field name " + key + " for \"" + msg + "\"");
            }
            Object value = keyValues[i + 1];
            message.with((String) key, value == null ? "null" : value);
        }
        return message;
    }
}
