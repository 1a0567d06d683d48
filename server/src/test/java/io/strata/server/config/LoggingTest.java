package io.strata.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.server.config.ParseOutcome.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoggingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TIMESTAMP = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z";

    @AfterEach
    void restoreStartupLogging() {
        Configurator.reconfigure();
    }

    private static List<JsonNode> lines(Path file) throws Exception {
        return Files.readAllLines(file).stream().map(line -> {
            try {
                return JSON.readTree(line);
            } catch (Exception e) {
                throw new AssertionError("not a JSON line: " + line, e);
            }
        }).toList();
    }

    private static ServerConfig configLoggingTo(Path file, String level) {
        ParseOutcome outcome = ConfigParser.parse(new String[] {"--log-outputs", file.toString(), "--log-level", level}, Map.of());
        return ((Run) outcome).config();
    }

    @Test
    void logLineIsJsonWithEtcdKeys(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("strata.log");
        Logging.configure(configLoggingTo(file, "info"));
        StructuredLog.of(LoggingTest.class).info("member started", "member-id", 42, "urls", List.of("http://a:1"), "leader", true);

        List<JsonNode> lines = lines(file);
        assertThat(lines).hasSize(1);
        JsonNode line = lines.get(0);
        List<String> keys = new java.util.ArrayList<>();
        line.fieldNames().forEachRemaining(keys::add);
        assertThat(keys.subList(0, 4)).containsExactly("level", "ts", "caller", "msg");
        assertThat(line.get("level").asText()).isEqualTo("info");
        assertThat(line.get("ts").asText()).matches(TIMESTAMP);
        assertThat(line.get("caller").asText()).matches("config/LoggingTest\\.java:\\d+");
        assertThat(line.get("msg").asText()).isEqualTo("member started");
        assertThat(line.get("member-id").isNumber()).isTrue();
        assertThat(line.get("member-id").asLong()).isEqualTo(42);
        assertThat(line.get("urls").isArray()).isTrue();
        assertThat(line.get("leader").asBoolean()).isTrue();
    }

    @Test
    void levelFlagFiltersAndErrorsCarryTheirMessage(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("strata.log");
        Logging.configure(configLoggingTo(file, "warn"));
        StructuredLog log = StructuredLog.of(LoggingTest.class);
        log.info("hidden");
        log.warn("send failed", new IllegalStateException("peer gone"), "to", "m2");

        List<JsonNode> lines = lines(file);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).get("level").asText()).isEqualTo("warn");
        assertThat(lines.get(0).get("error").asText()).isEqualTo("peer gone");
        assertThat(lines.get(0).get("stacktrace").asText()).contains("IllegalStateException");
        assertThat(lines.get(0).get("caller").asText()).doesNotContain("\n");
    }

    @Test
    void slf4jAndJavaUtilLoggingComeOutAsTheSameJson(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("strata.log");
        Logging.configure(configLoggingTo(file, "info"));
        org.slf4j.LoggerFactory.getLogger("io.netty.Example").atInfo().addKeyValue("channel", 7).log("from slf4j");
        java.util.logging.Logger.getLogger("io.grpc.Example").warning("from jul");
        org.slf4j.LoggerFactory.getLogger("net.openhft.chronicle.Example").info("chronicle chatter");

        List<JsonNode> lines = lines(file);
        assertThat(lines).extracting(l -> l.get("msg").asText()).containsExactly("from slf4j", "from jul");
        assertThat(lines.get(0).get("channel").asText()).isEqualTo("7");
        assertThat(lines.get(1).get("level").asText()).isEqualTo("warn");
    }

    @Test
    void startupNotesRenderAsJsonLines() throws Exception {
        String text = Logging.render(List.of(
                StartupNote.warn("failed to verify flags", "error", "boom"),
                StartupNote.fatal("stop", "n", 3L)));
        List<String> rendered = text.lines().toList();
        assertThat(text).endsWith("\n");
        assertThat(rendered).hasSize(2);
        JsonNode first = JSON.readTree(rendered.get(0));
        assertThat(first.get("level").asText()).isEqualTo("warn");
        assertThat(first.get("ts").asText()).matches(TIMESTAMP);
        assertThat(first.get("caller").asText()).matches("config/LoggingTest\\.java:\\d+");
        assertThat(first.get("error").asText()).isEqualTo("boom");
        assertThat(JSON.readTree(rendered.get(1)).get("n").asLong()).isEqualTo(3);
    }
}
