package io.strata.server.config;

import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.DefaultConfiguration;
import org.apache.logging.log4j.core.config.builder.api.AppenderComponentBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilderFactory;
import org.apache.logging.log4j.core.config.builder.api.LayoutComponentBuilder;
import org.apache.logging.log4j.core.config.builder.api.RootLoggerComponentBuilder;
import org.apache.logging.log4j.core.config.builder.impl.BuiltConfiguration;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.core.time.MutableInstant;
import org.apache.logging.log4j.layout.template.json.JsonTemplateLayout;

/**
 * Sets up the process's logging so that every line it writes is one JSON object in etcd's
 * shape: {@code {"level":"info","ts":"...Z","caller":"config/Logging.java:42","msg":"...",...}}.
 * Everything logs through Log4j: our code (through {@link StructuredLog} or SLF4J), Netty,
 * Armeria and Chronicle (through SLF4J) and gRPC (through java.util.logging, bridged here).
 *
 * <p>Before {@link #configure} runs, {@code log4j2.xml} on the class path gives the same format
 * at info level on stderr, so that nothing logged early comes out in another shape.
 */
public final class Logging {

    /** The event template: field names and formats of every log line. */
    static final String EVENT_TEMPLATE_URI = "classpath:strata-log-template.json";
    private static final String JUL_MANAGER = "org.apache.logging.log4j.jul.LogManager";
    // Libraries whose debug output would drown ours; they log at info at most.
    private static final List<String> CHATTY_LIBRARIES = List.of("io.netty", "com.linecorp.armeria", "io.grpc");

    private Logging() {
    }

    /** Applies {@code --log-level} and {@code --log-outputs}. Call before anything else logs. */
    public static void configure(ServerConfig cfg) {
        ConfigurationBuilder<BuiltConfiguration> builder = ConfigurationBuilderFactory.newConfigurationBuilder();
        builder.setConfigurationName("strata");
        builder.setStatusLevel(Level.OFF);
        builder.setShutdownHook("disable");
        Level level = level(cfg.logLevel());
        RootLoggerComponentBuilder root = builder.newRootLogger(level);

        List<String> outputs = cfg.logOutputs();
        // Discarding wins over every other destination, as in etcd.
        if (!outputs.contains("/dev/null")) {
            int index = 0;
            for (String output : outputs) {
                String name = "out" + index++;
                builder.add(appender(builder, name, output));
                root.add(builder.newAppenderRef(name));
            }
        }
        builder.add(root);
        builder.add(builder.newLogger("net.openhft", Level.WARN));
        if (level.isLessSpecificThan(Level.DEBUG)) {
            for (String library : CHATTY_LIBRARIES) {
                builder.add(builder.newLogger(library, Level.INFO));
            }
        }
        Configurator.reconfigure(builder.build(false));
        routeJavaUtilLogging();
    }

    /** Flushes and closes the appenders; call last, as the automatic shutdown hook is off. */
    public static void shutdown() {
        LogManager.shutdown();
    }

    /** Logs notes from configuration parsing, each with the place that raised it as its caller. */
    public static void log(List<StartupNote> notes) {
        org.apache.logging.log4j.Logger logger = LogManager.getLogger(ConfigParser.class);
        for (StartupNote note : notes) {
            logger.atLevel(noteLevel(note.level()))
                    .withLocation(note.caller())
                    .log(message(note));
        }
    }

    /** Formats notes as log lines without going through the configured logging. */
    static String render(List<StartupNote> notes) {
        JsonTemplateLayout layout = JsonTemplateLayout.newBuilder()
                .setConfiguration(new DefaultConfiguration())
                .setEventTemplateUri(EVENT_TEMPLATE_URI)
                .setEventDelimiter("\n")
                .build();
        StringBuilder out = new StringBuilder();
        for (StartupNote note : notes) {
            java.time.Instant now = java.time.Instant.now();
            MutableInstant instant = new MutableInstant();
            instant.initFromEpochSecond(now.getEpochSecond(), now.getNano());
            LogEvent event = Log4jLogEvent.newBuilder()
                    .setLoggerName(ConfigParser.class.getName())
                    .setLevel(noteLevel(note.level()))
                    .setMessage(message(note))
                    .setSource(note.caller())
                    .setIncludeLocation(true)
                    .setInstant(instant)
                    .build();
            out.append(layout.toSerializable(event));
        }
        return out.toString();
    }

    private static FieldsMessage message(StartupNote note) {
        FieldsMessage message = new FieldsMessage(note.message(), note.fields().size());
        for (Map.Entry<String, Object> field : note.fields().entrySet()) {
            message.with(field.getKey(), field.getValue());
        }
        return message;
    }

    private static AppenderComponentBuilder appender(ConfigurationBuilder<BuiltConfiguration> builder, String name,
            String output) {
        LayoutComponentBuilder layout = builder.newLayout("JsonTemplateLayout")
                .addAttribute("eventTemplateUri", EVENT_TEMPLATE_URI)
                .addAttribute("eventDelimiter", "\n");
        switch (output) {
            case "default":
            case "stderr":
            case "systemd/journal":
                return builder.newAppender(name, "Console")
                        .addAttribute("target", ConsoleAppender.Target.SYSTEM_ERR)
                        .add(layout);
            case "stdout":
                return builder.newAppender(name, "Console")
                        .addAttribute("target", ConsoleAppender.Target.SYSTEM_OUT)
                        .add(layout);
            default:
                return builder.newAppender(name, "File")
                        .addAttribute("fileName", output)
                        .addAttribute("append", true)
                        .add(layout);
        }
    }

    static Level level(ServerConfig.LogLevel level) {
        switch (level) {
            case DEBUG:
                return Level.DEBUG;
            case INFO:
                return Level.INFO;
            case WARN:
                return Level.WARN;
            case ERROR:
                return Level.ERROR;
            default:
                // Log4j has nothing between error and fatal; etcd's dpanic and panic map to fatal.
                return Level.FATAL;
        }
    }

    private static Level noteLevel(String level) {
        Level l = Level.getLevel(level.toUpperCase(java.util.Locale.ROOT));
        if (l == null) {
            throw new IllegalArgumentException("unknown note level " + level);
        }
        return l;
    }

    /**
     * gRPC logs through java.util.logging. The launcher makes Log4j's LogManager the JUL log
     * manager, which is the cheap route; when it did not (tests, embedding), a bridge handler on
     * the JUL root logger forwards records instead.
     */
    private static void routeJavaUtilLogging() {
        if (JUL_MANAGER.equals(System.getProperty("java.util.logging.manager"))) {
            return;
        }
        org.apache.logging.log4j.jul.Log4jBridgeHandler.install(true, null, true);
    }
}
