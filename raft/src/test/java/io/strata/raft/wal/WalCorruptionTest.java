package io.strata.raft.wal;

import static io.strata.raft.wal.WalFixtures.METADATA;
import static io.strata.raft.wal.WalFixtures.entries;
import static io.strata.raft.wal.WalFixtures.hardState;
import static io.strata.raft.wal.WalFixtures.records;
import static io.strata.raft.wal.WalFixtures.segmentFiles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damage to data that was once durable is refused, never repaired by guessing. */
class WalCorruptionTest {
  private static final WalOptions SMALL_SEGMENTS = new WalOptions(2048);

  @TempDir Path tmp;

  @Test
  void flippedByteAnywhereInAMiddleRecordIsCorruptionNamingTheFile() throws IOException {
    Path dir = tmp.resolve("wal");
    try (Wal wal = Wal.create(dir, SMALL_SEGMENTS, METADATA)) {
      wal.append(hardState(1, 1, 10), entries(1, 10, 1));
    }
    Path file = segmentFiles(dir).get(0);
    byte[] original = Files.readAllBytes(file);
    List<WalSegmentScanner.Record> records = records(file, true);
    WalSegmentScanner.Record middle = records.get(records.size() / 2);
    assertThat(middle.type()).isEqualTo(WalRecords.TYPE_ENTRY);

    for (long at = middle.offsetBytes(); at < WalFixtures.end(middle); at++) {
      byte[] damaged = original.clone();
      damaged[(int) at] ^= 0x10;
      Files.write(file, damaged);
      assertThatThrownBy(() -> Wal.open(dir, SMALL_SEGMENTS))
          .as("flip at %d", at)
          .isInstanceOfSatisfying(WalCorruptException.class, e -> {
            assertThat(e.file()).isEqualTo(file);
            assertThat(e.offsetBytes()).isEqualTo(middle.offsetBytes());
            assertThat(e.getMessage()).contains(file.toString()).contains("offset " + middle.offsetBytes());
          });
    }
  }

  @Test
  void flippedByteInTheLastRecordOfAnOlderSegmentIsCorruption() throws IOException {
    Path dir = tmp.resolve("wal");
    try (Wal wal = Wal.create(dir, SMALL_SEGMENTS, METADATA)) {
      for (long i = 1; i <= 200; i += 10) {
        wal.append(null, entries(i, i + 9, 1));
      }
    }
    Path first = segmentFiles(dir).get(0);
    byte[] bytes = Files.readAllBytes(first);
    bytes[bytes.length - 2] ^= 0x01;
    Files.write(first, bytes);
    assertThatThrownBy(() -> Wal.open(dir, SMALL_SEGMENTS))
        .isInstanceOfSatisfying(WalCorruptException.class, e -> assertThat(e.file()).isEqualTo(first));
  }

  @Test
  void flippedByteInACompleteLastRecordIsCorruptionNotATear() throws IOException {
    Path dir = tmp.resolve("wal");
    try (Wal wal = Wal.create(dir, SMALL_SEGMENTS, METADATA)) {
      wal.append(null, entries(1, 3, 1));
      wal.append(null, List.of(WalFixtures.entry(4, 1, "complete")));
    }
    Path file = segmentFiles(dir).get(0);
    List<WalSegmentScanner.Record> records = records(file, true);
    WalSegmentScanner.Record last = records.get(records.size() - 1);
    byte[] bytes = Files.readAllBytes(file);
    // Every byte of the record is still non-zero afterwards: nothing suggests an unfinished write.
    bytes[(int) WalFixtures.end(last) - 3] ^= 0x01;
    Files.write(file, bytes);
    assertThatThrownBy(() -> Wal.open(dir, SMALL_SEGMENTS))
        .isInstanceOfSatisfying(WalCorruptException.class, e -> assertThat(e.offsetBytes()).isEqualTo(last.offsetBytes()));
  }

  @Test
  void missingMiddleSegmentIsCorruption() throws IOException {
    Path dir = tmp.resolve("wal");
    try (Wal wal = Wal.create(dir, SMALL_SEGMENTS, METADATA)) {
      for (long i = 1; i <= 200; i += 10) {
        wal.append(null, entries(i, i + 9, 1));
      }
    }
    List<Path> files = segmentFiles(dir);
    assertThat(files).hasSizeGreaterThan(2);
    Files.delete(files.get(1));
    assertThatThrownBy(() -> Wal.open(dir, SMALL_SEGMENTS))
        .isInstanceOf(WalCorruptException.class)
        .hasMessageContaining("sequence");
  }

  @Test
  void segmentFromAnotherWalBreaksTheChecksumChain() throws IOException {
    Path dir = tmp.resolve("wal");
    Path other = tmp.resolve("other");
    for (Path d : List.of(dir, other)) {
      try (Wal wal = Wal.create(d, SMALL_SEGMENTS, METADATA)) {
        for (long i = 1; i <= 200; i += 10) {
          wal.append(null, entries(i, i + 9, d == dir ? 1 : 2));
        }
      }
    }
    Path replaced = segmentFiles(dir).get(1);
    Files.copy(segmentFiles(other).get(1), replaced, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> Wal.open(dir, SMALL_SEGMENTS))
        .isInstanceOfSatisfying(WalCorruptException.class, e -> assertThat(e.file()).isEqualTo(replaced));
  }
}
