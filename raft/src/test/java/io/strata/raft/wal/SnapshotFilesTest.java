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

  /** The second format: metadata length, metadata, data, with magic "SNP2" and no base. */
  @Test
  void filesOfTheSecondFormatStillLoad() throws IOException {
    Snapshot expected = snapshot(100, 2);
    byte[] metadata = expected.getMetadata().toByteArray();
    byte[] data = expected.getData().toByteArray();
    java.nio.ByteBuffer body = java.nio.ByteBuffer.allocate(4 + metadata.length + data.length)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    body.putInt(metadata.length).put(metadata).put(data);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(body.array());
    java.nio.ByteBuffer file = java.nio.ByteBuffer.allocate(body.capacity() + SnapshotFiles.TRAILER_BYTES)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    file.put(body.array()).putLong(body.capacity()).putInt((int) crc.getValue()).putInt(SnapshotFiles.MAGIC_V2);
    Files.createDirectories(snapDir());
    Files.write(fileOf(100, 2), file.array());
    assertThat(new SnapshotFiles(snapDir()).loadNewest()).contains(expected);
  }

  private static SnapshotMetadata metadata(long index, long term) {
    return SnapshotMetadata.newBuilder().setIndex(index).setTerm(term)
        .setConfState(ConfState.newBuilder().addVoters(1)).build();
  }

  private static SnapshotFiles.DataWriter bytes(String text) {
    return out -> out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void aSnapshotBuiltOnAnotherHoldsTheBasesDataFollowedByItsOwn() throws IOException {
    SnapshotFiles files = new SnapshotFiles(snapDir());
    files.save(metadata(100, 1), bytes("whole;"));
    Snapshot second = files.save(metadata(200, 1), 100, bytes("since-100;"));
    Snapshot third = files.save(metadata(300, 2), 200, bytes("since-200;"));

    assertThat(second.getData().toStringUtf8()).isEqualTo("whole;since-100;");
    assertThat(third.getData().toStringUtf8()).isEqualTo("whole;since-100;since-200;");
    Snapshot loaded = new SnapshotFiles(snapDir()).loadNewest().orElseThrow();
    assertThat(loaded.getMetadata()).isEqualTo(metadata(300, 2));
    assertThat(loaded.getData().toStringUtf8()).isEqualTo("whole;since-100;since-200;");
    assertThat(new SnapshotFiles(snapDir()).loadNewest(250).orElseThrow().getData().toStringUtf8())
        .isEqualTo("whole;since-100;");
  }

  @Test
  void basesAreKeptWhileAKeptSnapshotNeedsThem() throws IOException {
    SnapshotFiles files = new SnapshotFiles(snapDir());
    files.save(metadata(10, 1), bytes("whole;"));
    for (long index = 20; index <= 100; index += 10) {
      files.save(metadata(index, 1), index - 10, bytes(index + ";"));
    }
    try (Stream<Path> listed = Files.list(snapDir())) {
      assertThat(listed.count()).isEqualTo(10);
    }
    // A whole snapshot again: once five newer ones stand without the old chain, it goes.
    files.save(metadata(110, 1), bytes("whole again;"));
    for (long index = 120; index <= 150; index += 10) {
      files.save(metadata(index, 1), index - 10, bytes(index + ";"));
    }
    try (Stream<Path> listed = Files.list(snapDir())) {
      assertThat(listed.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly(
              fileOf(110, 1).getFileName().toString(),
              fileOf(120, 1).getFileName().toString(),
              fileOf(130, 1).getFileName().toString(),
              fileOf(140, 1).getFileName().toString(),
              fileOf(150, 1).getFileName().toString());
    }
    assertThat(files.loadNewest().orElseThrow().getData().toStringUtf8())
        .isEqualTo("whole again;120;130;140;150;");
  }

  @Test
  void aSnapshotWhoseBaseIsGoneOrDamagedIsSkipped() throws IOException {
    SnapshotFiles files = new SnapshotFiles(snapDir());
    files.save(metadata(100, 1), bytes("old whole;"));
    files.save(metadata(200, 1), bytes("whole;"));
    files.save(metadata(300, 1), 200, bytes("since-200;"));
    byte[] base = Files.readAllBytes(fileOf(200, 1));
    base[base.length / 2] ^= 1;
    Files.write(fileOf(200, 1), base);
    assertThat(new SnapshotFiles(snapDir()).loadNewest().orElseThrow().getData().toStringUtf8())
        .isEqualTo("old whole;");
    Files.delete(fileOf(200, 1));
    assertThat(new SnapshotFiles(snapDir()).loadNewest().orElseThrow().getData().toStringUtf8())
        .isEqualTo("old whole;");
    assertThatThrownBy(() -> files.save(metadata(400, 1), 200, bytes("since-200;")))
        .isInstanceOf(java.nio.file.NoSuchFileException.class);
  }
}
