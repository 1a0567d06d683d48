package io.strata.lease;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The lessor must be deterministic: every member applies the same entries to the same state, and
 * tests drive time by hand. So its sources may not read a clock or an unseeded random source.
 */
class NoClockInMainSourcesTest {
    private static final List<String> BANNED = List.of(
            "System.currentTimeMillis", "System.nanoTime", "Instant.now", "new Random(",
            "Clock.system", "ThreadLocalRandom", "LocalDateTime.now", "new Thread(");

    @Test
    void mainSourcesReadNoClockAndNoRandomness() throws IOException {
        Path sources = Path.of("src", "main", "java");
        assertThat(sources).as("run from the lease module directory").isDirectory();
        List<String> violations = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(sources)) {
            files = walk.filter(path -> path.toString().endsWith(".java")).toList();
        }
        assertThat(files).isNotEmpty();
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                for (String banned : BANNED) {
                    if (lines.get(i).contains(banned)) {
                        violations.add(file + ":" + (i + 1) + ": " + banned);
                    }
                }
            }
        }
        assertThat(violations).isEmpty();
    }
}
