package io.strata.raft.wal;

import com.google.protobuf.ByteString;
import io.strata.raft.proto.HardState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The file operations on segments: listing, reading whole, and creating them atomically. */
final class WalSegments {
  /** Large enough to take a batch of a thousand small entries in one write call. */
  static final int WRITE_BUFFER_BYTES = 1024 * 1024;

  private WalSegments() {}

  /** The segments in {@code dir}, oldest first. */
  static List<WalSegmentName> list(Path dir) throws IOException {
    List<WalSegmentName> names = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + WalSegmentName.SUFFIX)) {
      for (Path file : files) {
        WalSegmentName.parse(file).ifPresent(names::add);
      }
    }
    Collections.sort(names);
    return names;
  }

  static List<Path> leftoverTemporaryFiles(Path dir) throws IOException {
    List<Path> leftovers = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + WalSegmentName.TEMPORARY_SUFFIX)) {
      files.forEach(leftovers::add);
    }
    return leftovers;
  }

  static ByteBuffer readWhole(FileChannel channel, Path file) throws IOException {
    long size = channel.size();
    if (size > WalOptions.MAX_SEGMENT_SIZE_BYTES + WalRecords.MAX_PAYLOAD_BYTES) {
      throw new IOException("wal: segment " + file + " is " + size + " bytes, larger than any segment can grow");
    }
    ByteBuffer contents = ByteBuffer.allocate((int) size);
    while (contents.hasRemaining()) {
      if (channel.read(contents, contents.position()) < 0) {
        throw new IOException("wal: " + file + " shrank while it was being read");
      }
    }
    return contents.flip();
  }

  /**
   * Extends the file to its full size up front, so that appends do not grow the file and an
   * fdatasync need not write the file size each time. Java has no fallocate, so the space is
   * sparse; what matters for recovery is that it reads as zeros.
   */
  static void preallocate(FileChannel channel, long segmentSizeBytes) throws IOException {
    if (channel.size() < segmentSizeBytes) {
      channel.write(ByteBuffer.allocate(1), segmentSizeBytes - 1);
    }
  }

  /**
   * Writes a new segment's opening records under a temporary name, syncs it and only then gives
   * it its real name, so that a segment either exists with a complete header or not at all. The
   * returned writer appends after the opening records; its channel stays open across the rename.
   */
  static WalWriter create(
      Path dir,
      WalSegmentName name,
      long segmentSizeBytes,
      int previousCrc,
      ByteString metadata,
      long snapshotIndex,
      long snapshotTerm,
      HardState hardState)
      throws IOException {
    Path temporary = dir.resolve(name.temporaryFileName());
    Files.deleteIfExists(temporary);
    FileChannel channel = FileChannel.open(
        temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      preallocate(channel, segmentSizeBytes);
      WalWriter writer = new WalWriter(channel, 0, previousCrc, WRITE_BUFFER_BYTES);
      writer.appendSegmentHeader(name.sequence(), name.firstIndex());
      writer.appendBytes(WalRecords.TYPE_METADATA, metadata);
      writer.appendSnapshotMarker(snapshotIndex, snapshotTerm);
      writer.appendMessage(WalRecords.TYPE_HARD_STATE, hardState);
      writer.sync();
      Files.move(temporary, dir.resolve(name.fileName()), StandardCopyOption.ATOMIC_MOVE);
      FileSync.directory(dir);
      return writer;
    } catch (IOException | RuntimeException e) {
      channel.close();
      Files.deleteIfExists(temporary);
      throw e;
    }
  }
}
