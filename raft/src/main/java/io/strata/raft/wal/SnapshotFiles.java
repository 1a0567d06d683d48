package io.strata.raft.wal;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import io.strata.raft.proto.Snapshot;
import io.strata.raft.proto.SnapshotMetadata;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 * <p>A file is a body followed by a 16-byte trailer, little-endian:
 *
 * <pre>
 *  0           4                4+M          4+M+16         N               N+8            N+12           N+16
 *  +-----------+----------------+------------+--------------+---------------+--------------+--------------+
 *  | M (int32) | metadata bytes | base term, | data bytes   | body length N | crc32c(body) | magic "SNP3" |
 *  |           | (protobuf)     | base index |              | int64         | int32        | int32        |
 *  |           |                | int64 each |              |               |              |              |
 *  +-----------+----------------+------------+--------------+---------------+--------------+--------------+
 * </pre>
 *
 * The data is written as it is produced, whatever its size, and the check values come last so
 * that a reader finds them without parsing the body. A file may hold only what follows the data
 * of an older snapshot, its base (index 0: none): the snapshot's data is then the base's data
 * followed by the file's, so an application can write what changed since its last snapshot
 * instead of everything. A base is kept as long as a kept snapshot needs it. Loaded files are
 * mapped, not read onto the heap: a snapshot is as large as the store. Files of the earlier
 * formats ("SNP1", the body being the whole Snapshot message; "SNP2", without a base) are still
 * read. A file is written under a temporary name, synced and then renamed, so a file with the
 * real name is always complete; a file that still fails its check, or whose base is gone, was
 * damaged later, and loading falls back to an older one.
 */
public final class SnapshotFiles {
  private static final Logger log = LoggerFactory.getLogger(SnapshotFiles.class);
  /** How many snapshot files to keep; older ones are deleted after each save. */
  static final int KEEP_FILES = 5;
  static final int TRAILER_BYTES = 16;
  static final int MAGIC_V1 = 0x31504e53; // "SNP1" read as a little-endian int32
  static final int MAGIC_V2 = 0x32504e53; // "SNP2"
  static final int MAGIC = 0x33504e53; // "SNP3"
  /** Bases of bases are followed this far at most; a longer chain means a corrupt file. */
  private static final int maxChainFiles = 10_000;
  /** Metadata holds a membership; anything near this size is a corrupt length. */
  private static final int maxMetadataBytes = 64 * 1024 * 1024;
  private static final String SUFFIX = ".snap";
  private static final String TEMPORARY_SUFFIX = ".snap.tmp";
  private static final Pattern NAME = Pattern.compile("([0-9a-f]{16})-([0-9a-f]{16})\\.snap");
  private static final int WRITE_BUFFER_BYTES = 256 * 1024;

  /** Writes a snapshot's data. */
  @FunctionalInterface
  public interface DataWriter {
    void writeTo(OutputStream out) throws IOException;
  }

  private final Path dir;
  /** Temporary files being written now; a purge running beside such a save leaves them alone. */
  private final Set<Path> writing = ConcurrentHashMap.newKeySet();

  public SnapshotFiles(Path dir) {
    this.dir = dir;
  }

  /**
   * Saves {@code snapshot} atomically and durably, then deletes all but the newest files.
   * Returns it with its data mapped from the saved file, so the caller can let go of the copy it
   * holds (a snapshot received from the leader is on the heap).
   */
  public Snapshot save(Snapshot snapshot) throws IOException {
    return save(snapshot.getMetadata(), snapshot.getData()::writeTo);
  }

  /**
   * Saves the snapshot that {@code data} writes, streaming it into the file, atomically and
   * durably, then deletes all but the newest files. Returns the snapshot with its data mapped
   * from the saved file.
   */
  public Snapshot save(SnapshotMetadata metadata, DataWriter data) throws IOException {
    return save(metadata, 0, data);
  }

  /**
   * Like {@link #save(SnapshotMetadata, DataWriter)}, for a snapshot whose data is that of the
   * saved snapshot at {@code baseIndex} (0: none) followed by what {@code data} writes. The
   * returned snapshot's data is the whole of it.
   *
   * @throws NoSuchFileException when there is no snapshot file at {@code baseIndex}
   */
  public Snapshot save(SnapshotMetadata metadata, long baseIndex, DataWriter data) throws IOException {
    if (metadata.getIndex() == 0) {
      throw new IllegalArgumentException("snap: refusing to save an empty snapshot (index 0)");
    }
    if (baseIndex >= metadata.getIndex()) {
      throw new IllegalArgumentException("snap: a snapshot at " + metadata.getIndex() + " cannot build on one at " + baseIndex);
    }
    Files.createDirectories(dir);
    SnapshotName base = null;
    if (baseIndex > 0) {
      for (SnapshotName candidate : listNewestFirst()) {
        if (candidate.index() == baseIndex) {
          base = candidate;
          break;
        }
      }
      if (base == null) {
        throw new NoSuchFileException(dir.toString(), null, "snap: no snapshot file at index " + baseIndex + " to build on");
      }
    }
    String name = fileName(metadata.getTerm(), metadata.getIndex());
    Path temporary = dir.resolve(name + ".tmp");
    Path file = dir.resolve(name);
    if (!writing.add(temporary)) {
      throw new IllegalStateException("snap: " + temporary + " is being written already");
    }
    try {
      return save(metadata, base, data, temporary, file);
    } finally {
      writing.remove(temporary);
    }
  }

  private Snapshot save(SnapshotMetadata metadata, SnapshotName base, DataWriter data, Path temporary, Path file)
      throws IOException {
    Files.deleteIfExists(temporary);
    byte[] header = metadata.toByteArray();
    try (FileChannel channel = FileChannel.open(
        temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      CRC32C crc = new CRC32C();
      // Not closed on purpose: closing the stream would close the channel before the force.
      OutputStream out = new CheckedOutputStream(
          new BufferedOutputStream(Channels.newOutputStream(channel), WRITE_BUFFER_BYTES), crc);
      out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(header.length).array());
      out.write(header);
      out.write(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
          .putLong(base == null ? 0 : base.term()).putLong(base == null ? 0 : base.index()).array());
      data.writeTo(new FilterOutputStream(out) {
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
          flush();
        }
      });
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
    // Mapped before the purge can remove it; a mapping outlives the file's name.
    Snapshot saved = read(file, new SnapshotName(metadata.getTerm(), metadata.getIndex()), false, 0);
    purge();
    return saved;
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
        return Optional.of(read(file, name, true, 0));
      } catch (CorruptSnapshotException e) {
        log.warn("failed to load snapshot file, trying an older one, path={}, reason={}", file, e.getMessage());
      }
    }
    return Optional.empty();
  }

  /**
   * Maps {@code file} and the files of its bases; {@code check} verifies their checksums (a file
   * just written, and the bases it was built on, need none). {@code depth}: bases followed so far.
   */
  private Snapshot read(Path file, SnapshotName name, boolean check, int depth) throws IOException {
    ByteBuffer contents;
    if (depth > maxChainFiles) {
      throw new CorruptSnapshotException("builds on more than " + maxChainFiles + " older snapshots");
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < TRAILER_BYTES) {
        throw new CorruptSnapshotException("file of " + size + " bytes is shorter than its trailer");
      }
      if (size > Integer.MAX_VALUE) {
        throw new IOException("snap: " + file + " is too large to map whole (" + size + " bytes)");
      }
      contents = channel.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
    }
    int size = contents.capacity();
    long bodyBytes = contents.getLong(size - TRAILER_BYTES);
    int storedCrc = contents.getInt(size - TRAILER_BYTES + 8);
    int magic = contents.getInt(size - TRAILER_BYTES + 12);
    if (magic != MAGIC && magic != MAGIC_V2 && magic != MAGIC_V1) {
      throw new CorruptSnapshotException("bad trailer magic " + Integer.toHexString(magic));
    }
    if (bodyBytes != size - TRAILER_BYTES) {
      throw new CorruptSnapshotException(
          "trailer says " + bodyBytes + " body bytes, the file has " + (size - TRAILER_BYTES));
    }
    int body = (int) bodyBytes;
    if (check) {
      CRC32C crc = new CRC32C();
      crc.update(contents.duplicate().position(0).limit(body));
      if ((int) crc.getValue() != storedCrc) {
        throw new CorruptSnapshotException("checksum mismatch");
      }
    }
    Snapshot snapshot;
    try {
      if (magic == MAGIC_V1) {
        snapshot = Snapshot.parseFrom(contents.duplicate().position(0).limit(body));
      } else {
        int headerBytes = body < 4 ? -1 : contents.getInt(0);
        if (headerBytes < 0 || headerBytes > maxMetadataBytes || 4L + headerBytes > body) {
          throw new CorruptSnapshotException("impossible metadata length " + headerBytes);
        }
        SnapshotMetadata metadata = SnapshotMetadata.parseFrom(contents.duplicate().position(4).limit(4 + headerBytes));
        int dataStart = 4 + headerBytes;
        SnapshotName base = null;
        if (magic == MAGIC) {
          if (dataStart + 16L > body) {
            throw new CorruptSnapshotException("too short for its base");
          }
          long baseTerm = contents.getLong(dataStart);
          long baseIndex = contents.getLong(dataStart + 8);
          dataStart += 16;
          if (baseIndex != 0) {
            if (baseIndex >= name.index()) {
              throw new CorruptSnapshotException("builds on a snapshot at " + baseIndex + ", not older than itself");
            }
            base = new SnapshotName(baseTerm, baseIndex);
          }
        }
        ByteString data = UnsafeByteOperations.unsafeWrap(contents.duplicate().position(dataStart).limit(body).slice());
        if (base != null) {
          Path baseFile = dir.resolve(base.fileName());
          if (!Files.exists(baseFile)) {
            throw new CorruptSnapshotException("builds on " + baseFile.getFileName() + ", which is gone");
          }
          data = read(baseFile, base, check, depth + 1).getData().concat(data);
        }
        snapshot = Snapshot.newBuilder().setMetadata(metadata).setData(data).build();
      }
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
    Set<SnapshotName> needed = new HashSet<>();
    for (int i = 0; i < Math.min(KEEP_FILES, names.size()); i++) {
      for (SnapshotName n = names.get(i); n != null && needed.add(n); ) {
        n = baseOf(dir.resolve(n.fileName()));
      }
    }
    boolean deleted = false;
    for (int i = KEEP_FILES; i < names.size(); i++) {
      if (needed.contains(names.get(i))) {
        continue;
      }
      Path file = dir.resolve(names.get(i).fileName());
      Files.deleteIfExists(file);
      log.info("purged snapshot file, path={}", file);
      deleted = true;
    }
    try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir, "*" + TEMPORARY_SUFFIX)) {
      for (Path leftover : leftovers) {
        if (writing.contains(leftover)) {
          continue;
        }
        Files.deleteIfExists(leftover);
        log.info("removed unfinished snapshot file, path={}", leftover);
        deleted = true;
      }
    }
    if (deleted) {
      FileSync.directory(dir);
    }
  }

  /** The base a file names, read from its head; null when it has none or cannot be read. */
  private static SnapshotName baseOf(Path file) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      ByteBuffer trailer = ByteBuffer.allocate(TRAILER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      if (size < TRAILER_BYTES + 4 || channel.read(trailer, size - TRAILER_BYTES) != TRAILER_BYTES
          || trailer.getInt(12) != MAGIC) {
        return null;
      }
      ByteBuffer length = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      if (channel.read(length, 0) != 4) {
        return null;
      }
      int headerBytes = length.getInt(0);
      ByteBuffer base = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
      if (headerBytes < 0 || 4L + headerBytes + 16 > size - TRAILER_BYTES || channel.read(base, 4L + headerBytes) != 16) {
        return null;
      }
      long index = base.getLong(8);
      return index == 0 ? null : new SnapshotName(base.getLong(0), index);
    } catch (IOException e) {
      return null;
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
