package io.strata.raft.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Durability of directory entries: a file created, renamed or deleted survives a crash only once
 * its directory has been synced.
 */
final class FileSync {
  private FileSync() {}

  static void directory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
