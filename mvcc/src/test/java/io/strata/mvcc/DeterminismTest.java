package io.strata.mvcc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every member applies the same log and must reach the same state, so the store's code may not
 * read clocks or draw random numbers.
 */
class DeterminismTest {
  private static final List<String> BANNED = List.of(
      "System.currentTimeMillis", "System.nanoTime", "new Random", "Math.random",
      "ThreadLocalRandom", "Instant.now", "Clock.");

  @Test
  void storeCodeReadsNoClockAndNoRandomness() throws IOException {
    Path sources = Path.of("src/main/java/io/strata/mvcc");
    try (Stream<Path> files = Files.list(sources)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String code = Files.readString(file);
        for (String banned : BANNED) {
          assertThat(code).as("%s uses %s", file.getFileName(), banned).doesNotContain(banned);
        }
      }
    }
  }
}
