package io.strata.raft.wal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The WAL holds a record that cannot be trusted and cannot be explained by a crash during a
 * write: a bad checksum before the end of the log, a broken checksum chain, a missing segment or
 * an impossible sequence of entries. The WAL refuses to open rather than guess what was lost.
 */
public final class WalCorruptException extends IOException {
  private final Path file;
  private final long offsetBytes;

  WalCorruptException(Path file, long offsetBytes, String reason) {
    super("wal: corrupt record in " + file + " at offset " + offsetBytes + ": " + reason);
    this.file = file;
    this.offsetBytes = offsetBytes;
  }

  /** The segment file that holds the bad record. */
  public Path file() {
    return file;
  }

  /** The byte offset of the bad record within {@link #file()}. */
  public long offsetBytes() {
    return offsetBytes;
  }
}
