package io.strata.raft.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.strata.raft.proto.ConfState;
import io.strata.raft.proto.Snapshot;
import io.strata.raft.proto.SnapshotMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotFilesTest {
  @TempDir Path tmp;

  private Path snapDir() {
    return tmp.resolve("member").resolve("snap");
  }

  private static Snapshot snapshot(long index, long term) {
    byte[] data = new byte[10_000];
    Arrays.fill(data, (byte) index);
    return Snapshot.newBuilder()
        .setData(ByteString.copyFrom(data))
        .setMetadata(SnapshotMetadata.newBuilder()
            .setIndex(index)
            .setTerm(term)
            .setConfState(ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3)))
        .build();
  }

  private Path fileOf(long index, long term) {
    return snapDir().resolve(String.format("%016x-%016x.snap", term, index));
  }

  @Test
  void savedSnapshotLoadsBack() throws IOException {
    SnapshotFiles files = new SnapshotFiles(snapDir());
    files.save(snapshot(100, 2));
    assertThat(fileOf(100, 2)).exists();
    assertThat(new SnapshotFiles(snapDir()).loadNewest()).contains(snapshot(100, 2));
  }

  @Test
  void emptyOrMissingDirectoryHasNoSnapshot() throws IOException {
    assertThat(new SnapshotFiles(snapDir()).loadNewest()).isEmpty();
    Files.createDirectories(snapDir());
    assertThat(new SnapshotFiles(snapDir()).loadNewest()).isEmpty();
  }

  @Test
  void newestByIndexWins() throws IOException {
    SnapshotFiles files = new SnapshotFiles(snapDir());
    files.save(snapshot(100, 2));
    files.save(snapshot(300, 3));
    files.save(snapshot(200, 3));
    assertThat(files.loadNewest()).contains(snapshot(300, 3));
    assertThat(files.loadNewest(250)).contains(snapshot(200, 3));
    assertThat(files.loadNewest(99)).isEmpty();
  }

  @Test
  void leftoverTemporaryFileIsIgnored() throws IOException {
    SnapshotFiles files = new SnapshotFiles(snapDir());
    files.save(snapshot(100, 2));
    Path leftover = snapDir().resolve(fileOf(500, 9).getFileName() + ".tmp");
    Files.write(leftover, new byte[] {1, 2, 3, 4});
    assertThat(files.loadNewest()).contains(snapshot(100, 2));
    files.save(snapshot(200, 2));
    assertThat(leftover).doesNotExist();
  }

  @Test
  void corruptNewestFileFallsBackToThePreviousOne() throws IOException {
    SnapshotFiles files = new SnapshotFiles(snapDir());
    files.save(snapshot(100, 2));
    files.save(snapshot(200, 2));
    byte[] bytes = Files.readAllBytes(fileOf(200, 2));
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(fileOf(200, 2), bytes);
    assertThat(files.loadNewest()).contains(snapshot(100, 2));
  }

  @Test
  void truncatedOrMislabelledNewestFileFallsBack() throws IOException {
    SnapshotFiles files = new SnapshotFiles(snapDir());
    files.save(snapshot(100, 2));
    files.save(snapshot(200, 2));
    files.save(snapshot(300, 2));
    byte[] bytes = Files.readAllBytes(fileOf(300, 2));
    Files.write(fileOf(300, 2), Arrays.copyOf(bytes, bytes.length - 5));
    assertThat(files.loadNewest()).contains(snapshot(200, 2));
    // A file whose contents belong to another index is not trusted under its name.
    Files.copy(fileOf(100, 2), fileOf(400, 2));
    assertThat(files.loadNewest()).contains(snapshot(200, 2));
  }

  @Test
  void onlyTheNewestFiveAreKept() throws IOException {
    SnapshotFiles files = new SnapshotFiles(snapDir());
    for (long index = 1; index <= 8; index++) {
      files.save(snapshot(index * 10, 1));
    }
    try (Stream<Path> listed = Files.list(snapDir())) {
      assertThat(listed.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly(
              fileOf(40, 1).getFileName().toString(),
              fileOf(50, 1).getFileName().toString(),
              fileOf(60, 1).getFileName().toString(),
              fileOf(70, 1).getFileName().toString(),
              fileOf(80, 1).getFileName().toString());
    }
  }

  @Test
  void emptySnapshotIsRefused() {
    assertThatThrownBy(() -> new SnapshotFiles(snapDir()).save(Snapshot.getDefaultInstance()))
        .isInstanceOf(IllegalArgumentException.class);
  }
  @Test
  void streamedSnapshotIsSavedAndReturnedFromTheFile() throws IOException {
    SnapshotFiles files = new SnapshotFiles(snapDir());
    Snapshot expected = snapshot(100, 2);
    Snapshot saved = files.save(expected.getMetadata(), out -> {
      // Written in pieces, as a store streams its records.
      byte[] data = expected.getData().toByteArray();
      for (int off = 0; off < data.length; off += 999) {
        out.write(data, off, Math.min(999, data.length - off));
      }
    });
    assertThat(saved).isEqualTo(expected);
    assertThat(files.loadNewest()).contains(expected);
  }

  /** The first format: the Snapshot message whole, then the same trailer with magic "SNP1". */
  @Test
  void filesOfTheFirstFormatStillLoad() throws IOException {
    Snapshot expected = snapshot(100, 2);
    byte[] body = expected.toByteArray();
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(body);
    java.nio.ByteBuffer file = java.nio.ByteBuffer.allocate(body.length + SnapshotFiles.TRAILER_BYTES)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    file.put(body).putLong(body.length).putInt((int) crc.getValue()).putInt(SnapshotFiles.MAGIC_V1);
    Files.createDirectories(snapDir());
    Files.write(fileOf(100, 2), file.array());
    assertThat(new SnapshotFiles(snapDir()).loadNewest()).contains(expected);
    // A damaged file of the first format is caught by its checksum as well.
    byte[] damaged = file.array().clone();
    damaged[body.length / 2] ^= 1;
    Files.write(fileOf(100, 2), damaged);
    assertThat(new SnapshotFiles(snapDir()).loadNewest()).isEmpty();
  }
}
