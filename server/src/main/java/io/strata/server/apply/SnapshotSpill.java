package io.strata.server.apply;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where a state snapshot is written while it is being taken: a file beside the snapshot files,
 * mapped back into memory and unlinked at once. The snapshot is as large as the revision store;
 * built on the heap it would be one huge allocation every {@code --snapshot-count} entries that
 * the collector promotes straight to the old generation and never gives back, kept alive until
 * the next snapshot because Raft's storage sends it to followers that fall behind. Mapped, its
 * bytes are clean file pages the kernel can drop and read again. The spill is not what makes
 * the snapshot durable ({@code SnapshotFiles} writes and fsyncs the snapshot file), so it is
 * never synced.
 */
final class SnapshotSpill {
  private static final String SUFFIX = ".spill";
  private static final int bufferBytes = 256 * 1024;

  /** Writes one snapshot's bytes. */
  interface Writer {
    void writeTo(OutputStream out) throws IOException;
  }

  private final Path dir;

  /** Removes spills a crash left behind: they are never read again. */
  SnapshotSpill(Path dir) throws IOException {
    this.dir = dir;
    Files.createDirectories(dir);
    try (DirectoryStream<Path> stale = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path p : stale) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** The bytes {@code writer} produced, backed by an unlinked, mapped file. */
  ByteString write(Writer writer) throws IOException {
    Path file = Files.createTempFile(dir, "state-", SUFFIX);
    try {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), bufferBytes)) {
        writer.writeTo(out);
      }
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
        // The mapping outlives both the channel and the file's name.
        return UnsafeByteOperations.unsafeWrap(channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()));
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
