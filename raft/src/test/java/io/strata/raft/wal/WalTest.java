package io.strata.raft.wal;

import static io.strata.raft.wal.WalFixtures.METADATA;
import static io.strata.raft.wal.WalFixtures.entries;
import static io.strata.raft.wal.WalFixtures.entry;
import static io.strata.raft.wal.WalFixtures.hardState;
import static io.strata.raft.wal.WalFixtures.indexes;
import static io.strata.raft.wal.WalFixtures.segmentFiles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.raft.proto.Entry;
import io.strata.raft.proto.HardState;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalTest {
  private static final WalOptions SMALL_SEGMENTS = new WalOptions(2048);

  @TempDir Path tmp;

  private Path walDir() {
    return tmp.resolve("member").resolve("wal");
  }

  @Test
  void newWalRecoversEmptyState() throws IOException {
    try (Wal wal = Wal.create(walDir(), WalOptions.defaults(), METADATA)) {
      assertThat(wal.recovered().entries()).isEmpty();
    }
    assertThat(Wal.exists(walDir())).isTrue();
    try (Wal wal = Wal.open(walDir(), WalOptions.defaults())) {
      WalRecovery recovery = wal.recovered();
      assertThat(recovery.metadata()).isEqualTo(METADATA);
      assertThat(recovery.hardState()).isEqualTo(HardState.getDefaultInstance());
      assertThat(recovery.entries()).isEmpty();
      assertThat(recovery.snapshotIndex()).isZero();
      assertThat(recovery.snapshotTerm()).isZero();
    }
    assertThat(segmentFiles(walDir())).extracting(p -> p.getFileName().toString())
        .containsExactly("0000000000000001-0000000000000001.wal");
  }

  @Test
  void hardStatesAndEntriesSurviveCloseAndReopen() throws IOException {
    try (Wal wal = Wal.create(walDir(), WalOptions.defaults(), METADATA)) {
      wal.append(hardState(1, 1, 0), entries(1, 3, 1));
      wal.sync();
      wal.append(hardState(2, 0, 3), entries(4, 5, 2));
      wal.append(null, List.of());
      wal.sync();
    }
    try (Wal wal = Wal.open(walDir(), WalOptions.defaults())) {
      WalRecovery recovery = wal.recovered();
      assertThat(recovery.metadata()).isEqualTo(METADATA);
      assertThat(recovery.hardState()).isEqualTo(hardState(2, 0, 3));
      assertThat(recovery.entries()).containsExactlyElementsOf(concat(entries(1, 3, 1), entries(4, 5, 2)));
      wal.append(hardState(2, 0, 5), List.of(entry(6, 2)));
    }
    try (Wal wal = Wal.open(walDir(), WalOptions.defaults())) {
      assertThat(indexes(wal.recovered().entries())).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
      assertThat(wal.recovered().hardState()).isEqualTo(hardState(2, 0, 5));
    }
  }

  @Test
  void thousandEntryBatchWithOneSyncRoundTrips() throws IOException {
    List<Entry> batch = entries(1, 1000, 3);
    try (Wal wal = Wal.create(walDir(), WalOptions.defaults(), METADATA)) {
      wal.append(hardState(3, 1, 1000), batch);
      wal.sync();
      wal.sync();
    }
    try (Wal wal = Wal.open(walDir(), WalOptions.defaults())) {
      assertThat(wal.recovered().entries()).containsExactlyElementsOf(batch);
    }
  }

  @Test
  void conflictingEntriesReplaceTheTailOnRecovery() throws IOException {
    try (Wal wal = Wal.create(walDir(), WalOptions.defaults(), METADATA)) {
      wal.append(hardState(1, 1, 1), entries(1, 5, 1));
      wal.append(hardState(2, 2, 2), entries(3, 4, 2));
      wal.append(null, entries(5, 5, 2));
    }
    try (Wal wal = Wal.open(walDir(), WalOptions.defaults())) {
      assertThat(wal.recovered().entries())
          .containsExactlyElementsOf(concat(entries(1, 2, 1), entries(3, 5, 2)));
    }
  }

  @Test
  void conflictAtTheFirstEntryReplacesTheWholeLog() throws IOException {
    try (Wal wal = Wal.create(walDir(), WalOptions.defaults(), METADATA)) {
      wal.append(null, entries(1, 3, 1));
      wal.append(null, entries(1, 1, 2));
    }
    try (Wal wal = Wal.open(walDir(), WalOptions.defaults())) {
      assertThat(wal.recovered().entries()).containsExactly(entry(1, 2));
    }
  }

  @Test
  void appendThatSkipsAnIndexIsRefused() throws IOException {
    try (Wal wal = Wal.create(walDir(), WalOptions.defaults(), METADATA)) {
      wal.append(null, entries(1, 2, 1));
      assertThatThrownBy(() -> wal.append(null, List.of(entry(4, 1))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("gap");
    }
  }

  @Test
  void snapshotMarkerHidesTheEntriesItCovers() throws IOException {
    try (Wal wal = Wal.create(walDir(), WalOptions.defaults(), METADATA)) {
      wal.append(hardState(1, 1, 10), entries(1, 10, 1));
      wal.saveSnapshotMarker(6, 1);
      wal.append(null, entries(11, 12, 1));
    }
    try (Wal wal = Wal.open(walDir(), WalOptions.defaults())) {
      WalRecovery recovery = wal.recovered();
      assertThat(recovery.snapshotIndex()).isEqualTo(6);
      assertThat(recovery.snapshotTerm()).isEqualTo(1);
      assertThat(indexes(recovery.entries())).containsExactly(7L, 8L, 9L, 10L, 11L, 12L);
    }
  }

  @Test
  void snapshotMarkerBeyondTheLogStartsTheLogAfterIt() throws IOException {
    try (Wal wal = Wal.create(walDir(), WalOptions.defaults(), METADATA)) {
      wal.append(hardState(1, 1, 3), entries(1, 3, 1));
      wal.saveSnapshotMarker(20, 4);
      wal.append(hardState(4, 0, 21), List.of(entry(21, 4)));
    }
    try (Wal wal = Wal.open(walDir(), WalOptions.defaults())) {
      WalRecovery recovery = wal.recovered();
      assertThat(recovery.snapshotIndex()).isEqualTo(20);
      assertThat(recovery.entries()).containsExactly(entry(21, 4));
      assertThat(recovery.hardState()).isEqualTo(hardState(4, 0, 21));
    }
  }

  @Test
  void segmentsRollOverAndRecoverInOrder() throws IOException {
    List<Entry> all = entries(1, 300, 1);
    try (Wal wal = Wal.create(walDir(), SMALL_SEGMENTS, METADATA)) {
      for (int i = 0; i < all.size(); i += 10) {
        wal.append(hardState(1, 1, i), all.subList(i, i + 10));
      }
    }
    List<Path> files = segmentFiles(walDir());
    assertThat(files).hasSizeGreaterThan(3);
    for (int i = 0; i < files.size() - 1; i++) {
      // A finished segment ends at its last record, the preallocated space cut off.
      assertThat(Files.size(files.get(i))).isLessThan(SMALL_SEGMENTS.segmentSizeBytes() + 1024);
    }
    try (Wal wal = Wal.open(walDir(), SMALL_SEGMENTS)) {
      assertThat(wal.recovered().entries()).containsExactlyElementsOf(all);
      assertThat(wal.recovered().hardState()).isEqualTo(hardState(1, 1, 290));
    }
  }

  @Test
  void releaseBeforeDeletesOnlySegmentsWhollyBeforeTheIndex() throws IOException {
    try (Wal wal = Wal.create(walDir(), SMALL_SEGMENTS, METADATA)) {
      for (long i = 1; i <= 300; i += 10) {
        wal.append(hardState(1, 1, i + 9), entries(i, i + 9, 1));
      }
      List<WalSegmentName> before = WalSegments.list(walDir());
      wal.saveSnapshotMarker(150, 1);
      wal.releaseBefore(150);
      List<WalSegmentName> after = WalSegments.list(walDir());
      assertThat(after).isNotEmpty().hasSizeLessThan(before.size());
      assertThat(after.get(0).firstIndex()).isLessThanOrEqualTo(150);
      assertThat(after.get(after.size() - 1)).isEqualTo(before.get(before.size() - 1));
      // Every segment that started at or below 150, except the newest such one, is gone.
      long kept = before.stream().filter(n -> n.firstIndex() <= 150).count();
      assertThat(after).hasSize(before.size() - (int) kept + 1);
      wal.append(null, entries(301, 305, 2));
    }
    try (Wal wal = Wal.open(walDir(), SMALL_SEGMENTS)) {
      WalRecovery recovery = wal.recovered();
      assertThat(recovery.snapshotIndex()).isEqualTo(150);
      assertThat(indexes(recovery.entries()))
          .containsExactlyElementsOf(LongStream.rangeClosed(151, 305).boxed().toList());
      assertThat(recovery.hardState()).isEqualTo(hardState(1, 1, 300));
    }
  }

  @Test
  void releaseBeforeNeverDeletesTheSegmentBeingWritten() throws IOException {
    try (Wal wal = Wal.create(walDir(), SMALL_SEGMENTS, METADATA)) {
      wal.append(null, entries(1, 5, 1));
      wal.saveSnapshotMarker(5, 1);
      wal.releaseBefore(6);
    }
    assertThat(segmentFiles(walDir())).hasSize(1);
  }

  @Test
  void releasePastTheSnapshotMarkerIsRefused() throws IOException {
    try (Wal wal = Wal.create(walDir(), SMALL_SEGMENTS, METADATA)) {
      wal.append(null, entries(1, 50, 1));
      wal.saveSnapshotMarker(10, 1);
      assertThatThrownBy(() -> wal.releaseBefore(20)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void createRefusesAnExistingWal() throws IOException {
    Wal.create(walDir(), WalOptions.defaults(), METADATA).close();
    assertThatThrownBy(() -> Wal.create(walDir(), WalOptions.defaults(), METADATA))
        .isInstanceOf(FileAlreadyExistsException.class);
  }

  @Test
  void createAcceptsAnEmptyDirectory() throws IOException {
    Files.createDirectories(walDir());
    Wal.create(walDir(), WalOptions.defaults(), METADATA).close();
    assertThat(Wal.exists(walDir())).isTrue();
  }

  @Test
  void openOfAMissingWalFails() {
    assertThat(Wal.exists(walDir())).isFalse();
    assertThatThrownBy(() -> Wal.open(walDir(), WalOptions.defaults())).isInstanceOf(IOException.class);
  }

  @Test
  void openOfADirectoryWithoutSegmentsFails() throws IOException {
    Files.createDirectories(walDir());
    assertThatThrownBy(() -> Wal.open(walDir(), WalOptions.defaults())).isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void secondOpenWhileOpenIsRefused() throws IOException {
    try (Wal wal = Wal.create(walDir(), WalOptions.defaults(), METADATA)) {
      assertThatThrownBy(() -> Wal.open(walDir(), WalOptions.defaults()))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("locked");
    }
  }

  @Test
  void leftoverTemporarySegmentIsRemovedOnOpen() throws IOException {
    Wal.create(walDir(), WalOptions.defaults(), METADATA).close();
    Path leftover = walDir().resolve(new WalSegmentName(2, 1).temporaryFileName());
    Files.write(leftover, new byte[] {1, 2, 3});
    try (Wal wal = Wal.open(walDir(), WalOptions.defaults())) {
      wal.append(null, entries(1, 1, 1));
    }
    assertThat(leftover).doesNotExist();
  }

  @Test
  void appendAfterCloseIsRefused() throws IOException {
    Wal wal = Wal.create(walDir(), WalOptions.defaults(), METADATA);
    wal.close();
    wal.close();
    assertThatThrownBy(() -> wal.append(null, entries(1, 1, 1))).isInstanceOf(IllegalStateException.class);
  }

  private static List<Entry> concat(List<Entry> a, List<Entry> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
