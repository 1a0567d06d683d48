package io.strata.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The consensus core must stay deterministic: no clock, no unseeded randomness, no threads and no
 * I/O in {@code io.strata.raft} itself (subpackages such as the WAL do I/O by design).
 */
class CorePurityTest {
  private static final List<String> BANNED = List.of(
      "System.currentTimeMillis", "System.nanoTime", "Instant.now", "new Random()", "ThreadLocalRandom",
      "new Thread", "Executor", "java.io.File", "java.nio.file", "Thread.sleep");

  @Test
  void coreUsesNoClockRandomnessThreadsOrFiles() throws IOException {
    Path core = Path.of("src/main/java/io/strata/raft");
    List<String> violations = new ArrayList<>();
    try (Stream<Path> files = Files.list(core)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String source = Files.readString(file);
        for (String banned : BANNED) {
          if (source.contains(banned)) {
            violations.add(file.getFileName() + " uses " + banned);
          }
        }
      }
    }
    assertThat(violations).isEmpty();
  }
}
