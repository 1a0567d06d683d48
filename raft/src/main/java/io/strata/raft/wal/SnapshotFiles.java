package io.strata.raft.wal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.strata.raft.proto.Snapshot;
import io.strata.raft.proto.SnapshotMetadata;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raft snapshots as files in one directory (e.g. {@code <data-dir>/member/snap}), named by term
 * and index as 16 hex digits each: {@code 0000000000000002-0000000000000400.snap}.
 *
 * <p>A file is the snapshot's protobuf encoding followed by a 16-byte trailer, little-endian:
 *
 * <pre>
 *  0                N               N+8             N+12            N+16
 *  +----------------+---------------+---------------+---------------+
 *  | Snapshot bytes | body length N | crc32c(body)  | magic "SNP1"  |
 *  |                | int64         | int32         | int32         |
 *  +----------------+---------------+---------------+---------------+
 * </pre>
 *
 * The check values come last so that a writer can stream a body of any size and a reader can
 * find them without parsing the body. A file is written under a temporary name, synced and then
 * renamed, so a file with the real name is always complete; a file that still fails its check
 * was damaged later, and loading falls back to an older one.
 */
public final class SnapshotFiles {
  private static final Logger log = LoggerFactory.getLogger(SnapshotFiles.class);
  /** How many snapshot files to keep; older ones are deleted after each save. */
  static final int KEEP_FILES = 5;
  static final int TRAILER_BYTES = 16;
  static final int MAGIC = 0x31504e53; // "SNP1" read as a little-endian int32
  private static final String SUFFIX = ".snap";
  private static final String TEMPORARY_SUFFIX = ".snap.tmp";
  private static final Pattern NAME = Pattern.compile("([0-9a-f]{16})-([0-9a-f]{16})\\.snap");
  private static final int WRITE_BUFFER_BYTES = 256 * 1024;

  private final Path dir;

  public SnapshotFiles(Path dir) {
    this.dir = dir;
  }

  /** Saves {@code snapshot} atomically and durably, then deletes all but the newest files. */
  public void save(Snapshot snapshot) throws IOException {
    SnapshotMetadata metadata = snapshot.getMetadata();
    if (metadata.getIndex() == 0) {
      throw new IllegalArgumentException("snap: refusing to save an empty snapshot (index 0)");
    }
    Files.createDirectories(dir);
    String name = fileName(metadata.getTerm(), metadata.getIndex());
    Path temporary = dir.resolve(name + ".tmp");
    Path file = dir.resolve(name);
    Files.deleteIfExists(temporary);
    try (FileChannel channel = FileChannel.open(
        temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      CRC32C crc = new CRC32C();
      // Not closed on purpose: closing the stream would close the channel before the force.
      OutputStream out = new CheckedOutputStream(
          new BufferedOutputStream(Channels.newOutputStream(channel), WRITE_BUFFER_BYTES), crc);
      snapshot.writeTo(out);
      out.flush();
      long bodyBytes = channel.position();
      ByteBuffer trailer = ByteBuffer.allocate(TRAILER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      trailer.putLong(bodyBytes).putInt((int) crc.getValue()).putInt(MAGIC).flip();
      while (trailer.hasRemaining()) {
        channel.write(trailer);
      }
      channel.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temporary);
      throw e;
    }
    Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    FileSync.directory(dir);
    log.info("saved snapshot, path={}, index={}, term={}", file, metadata.getIndex(), metadata.getTerm());
    purge();
  }

  /** The newest snapshot that passes its checks; corrupt files are logged and skipped. */
  public Optional<Snapshot> loadNewest() throws IOException {
    return loadNewest(Long.MAX_VALUE);
  }

  /**
   * The newest snapshot at or below {@code maxIndex} that passes its checks. A member recovers
   * from the newest snapshot its WAL has a marker for, since a snapshot file is saved before its
   * marker and may outlive a crash in between.
   */
  public Optional<Snapshot> loadNewest(long maxIndex) throws IOException {
    for (SnapshotName name : listNewestFirst()) {
      if (name.index() > maxIndex) {
        continue;
      }
      Path file = dir.resolve(name.fileName());
      try {
        return Optional.of(read(file, name));
      } catch (CorruptSnapshotException e) {
        log.warn("failed to load snapshot file, trying an older one, path={}, reason={}", file, e.getMessage());
      }
    }
    return Optional.empty();
  }

  private Snapshot read(Path file, SnapshotName name) throws IOException {
    byte[] bytes;
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < TRAILER_BYTES) {
        throw new CorruptSnapshotException("file of " + size + " bytes is shorter than its trailer");
      }
      if (size > Integer.MAX_VALUE - 16) {
        throw new IOException("snap: " + file + " is too large to load whole (" + size + " bytes)");
      }
      ByteBuffer contents = ByteBuffer.allocate((int) size);
      while (contents.hasRemaining()) {
        if (channel.read(contents) < 0) {
          throw new CorruptSnapshotException("file shrank while it was being read");
        }
      }
      bytes = contents.array();
    }
    ByteBuffer trailer = ByteBuffer.wrap(bytes, bytes.length - TRAILER_BYTES, TRAILER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    long bodyBytes = trailer.getLong();
    int storedCrc = trailer.getInt();
    int magic = trailer.getInt();
    if (magic != MAGIC) {
      throw new CorruptSnapshotException("bad trailer magic " + Integer.toHexString(magic));
    }
    if (bodyBytes != bytes.length - TRAILER_BYTES) {
      throw new CorruptSnapshotException(
          "trailer says " + bodyBytes + " body bytes, the file has " + (bytes.length - TRAILER_BYTES));
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, (int) bodyBytes);
    if ((int) crc.getValue() != storedCrc) {
      throw new CorruptSnapshotException("checksum mismatch");
    }
    Snapshot snapshot;
    try {
      snapshot = Snapshot.parser().parseFrom(bytes, 0, (int) bodyBytes);
    } catch (InvalidProtocolBufferException e) {
      throw new CorruptSnapshotException("undecodable snapshot: " + e.getMessage());
    }
    SnapshotMetadata metadata = snapshot.getMetadata();
    if (metadata.getIndex() != name.index() || metadata.getTerm() != name.term()) {
      throw new CorruptSnapshotException("holds index " + metadata.getIndex() + " term " + metadata.getTerm()
          + ", unlike its file name");
    }
    return snapshot;
  }

  private void purge() throws IOException {
    List<SnapshotName> names = listNewestFirst();
    boolean deleted = false;
    for (int i = KEEP_FILES; i < names.size(); i++) {
      Path file = dir.resolve(names.get(i).fileName());
      Files.deleteIfExists(file);
      log.info("purged snapshot file, path={}", file);
      deleted = true;
    }
    try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir, "*" + TEMPORARY_SUFFIX)) {
      for (Path leftover : leftovers) {
        Files.deleteIfExists(leftover);
        log.info("removed unfinished snapshot file, path={}", leftover);
        deleted = true;
      }
    }
    if (deleted) {
      FileSync.directory(dir);
    }
  }

  private List<SnapshotName> listNewestFirst() throws IOException {
    List<SnapshotName> names = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return names;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path file : files) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        if (m.matches()) {
          names.add(new SnapshotName(Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16)));
        }
      }
    }
    names.sort(Comparator.comparingLong(SnapshotName::index).thenComparingLong(SnapshotName::term).reversed());
    return names;
  }

  private static String fileName(long term, long index) {
    return String.format("%016x-%016x%s", term, index, SUFFIX);
  }

  private record SnapshotName(long term, long index) {
    String fileName() {
      return SnapshotFiles.fileName(term, index);
    }
  }

  /** A file that exists under its final name but fails its checks. */
  private static final class CorruptSnapshotException extends IOException {
    CorruptSnapshotException(String message) {
      super(message);
    }
  }
}
