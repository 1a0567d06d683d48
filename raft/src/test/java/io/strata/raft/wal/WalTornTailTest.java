package io.strata.raft.wal;

import static io.strata.raft.wal.WalFixtures.METADATA;
import static io.strata.raft.wal.WalFixtures.entries;
import static io.strata.raft.wal.WalFixtures.entry;
import static io.strata.raft.wal.WalFixtures.hardState;
import static io.strata.raft.wal.WalFixtures.lastSegment;
import static io.strata.raft.wal.WalFixtures.records;
import static org.assertj.core.api.Assertions.assertThat;

import io.strata.raft.proto.Entry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A crash while the last record is being written loses that record and nothing else. */
class WalTornTailTest {
  private static final WalOptions OPTIONS = new WalOptions(8192);

  @TempDir Path tmp;

  @Test
  void tornLastRecordIsCutAtEveryOffsetAndTheWalStaysAppendable() throws IOException {
    Path dir = tmp.resolve("wal");
    List<Entry> durable = entries(1, 5, 1);
    try (Wal wal = Wal.create(dir, OPTIONS, METADATA)) {
      wal.append(hardState(1, 1, 5), durable);
      // The data ends in a non-zero byte, so that any cut inside the record damages it.
      wal.append(null, List.of(entry(6, 1, "last record")));
    }
    Path file = lastSegment(dir);
    byte[] original = Files.readAllBytes(file);
    List<WalSegmentScanner.Record> records = records(file, true);
    WalSegmentScanner.Record last = records.get(records.size() - 1);
    int start = (int) last.offsetBytes();
    int end = (int) WalFixtures.end(last);

    for (int cut = start; cut < end; cut++) {
      for (boolean zeroFilled : new boolean[] {false, true}) {
        byte[] damaged = zeroFilled
            ? Arrays.copyOf(Arrays.copyOf(original, cut), original.length)
            : Arrays.copyOf(original, cut);
        Files.write(file, damaged);
        String scenario = "cut at " + cut + (zeroFilled ? " then zeros" : "");
        try (Wal wal = Wal.open(dir, OPTIONS)) {
          assertThat(wal.recovered().entries()).as(scenario).containsExactlyElementsOf(durable);
          assertThat(wal.recovered().hardState()).as(scenario).isEqualTo(hardState(1, 1, 5));
          wal.append(hardState(2, 2, 6), List.of(entry(6, 2, "rewritten")));
        }
        try (Wal wal = Wal.open(dir, OPTIONS)) {
          assertThat(wal.recovered().entries()).as(scenario)
              .containsExactlyElementsOf(concat(durable, entry(6, 2, "rewritten")));
        }
      }
    }
  }

  @Test
  void tornRecordWithAnUnwrittenSectorIsCutEvenWithDataAfterIt() throws IOException {
    Path dir = tmp.resolve("wal");
    List<Entry> durable = entries(1, 3, 1);
    try (Wal wal = Wal.create(dir, new WalOptions(64 * 1024), METADATA)) {
      wal.append(null, durable);
      wal.append(null, List.of(entry(4, 1, "x".repeat(3000))));
      wal.append(null, entries(5, 8, 1));
    }
    Path file = lastSegment(dir);
    byte[] bytes = Files.readAllBytes(file);
    WalSegmentScanner.Record big = records(file, true).get(7);
    assertThat(big.payload().remaining()).isGreaterThan(3000);
    // A sector in the middle of the record never reached the disk; later sectors did.
    int sector = (int) ((big.offsetBytes() + 1024) / 512 * 512);
    Arrays.fill(bytes, sector, sector + 512, (byte) 0);
    Files.write(file, bytes);
    try (Wal wal = Wal.open(dir, new WalOptions(64 * 1024))) {
      assertThat(wal.recovered().entries()).containsExactlyElementsOf(durable);
    }
  }

  @Test
  void preallocatedZerosAfterTheLastRecordAreNotATear() throws IOException {
    Path dir = tmp.resolve("wal");
    try (Wal wal = Wal.create(dir, OPTIONS, METADATA)) {
      wal.append(null, entries(1, 3, 1));
    }
    assertThat(Files.size(lastSegment(dir))).isEqualTo(OPTIONS.segmentSizeBytes());
    byte[] before = Files.readAllBytes(lastSegment(dir));
    try (Wal wal = Wal.open(dir, OPTIONS)) {
      assertThat(wal.recovered().entries()).containsExactlyElementsOf(entries(1, 3, 1));
    }
    assertThat(Files.readAllBytes(lastSegment(dir))).isEqualTo(before);
  }

  private static List<Entry> concat(List<Entry> entries, Entry more) {
    return java.util.stream.Stream.concat(entries.stream(), java.util.stream.Stream.of(more)).toList();
  }
}
