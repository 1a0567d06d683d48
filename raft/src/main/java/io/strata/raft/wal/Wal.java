package io.strata.raft.wal;

import com.google.protobuf.ByteString;
import io.strata.raft.proto.Entry;
import io.strata.raft.proto.HardState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-ahead log: the durable record of raft's hard state, entries and snapshot markers.
 * Every acknowledged write is in it, synced. It is a directory of segment files (see {@link
 * WalSegmentName}); only the last is written, the others are complete and read only on recovery.
 *
 * <p>Not thread-safe: one thread (raft's I/O thread) appends, syncs and releases. Appends are
 * buffered; callers batch (group commit) by appending many batches and syncing once.
 */
public final class Wal implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Wal.class);
  /** etcd's threshold for warning about a slow disk. */
  private static final long SLOW_SYNC_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final Path dir;
  private final WalOptions options;
  private final ByteString metadata;
  private final WalRecovery recovered;
  /** Oldest first; the last one is being written. */
  private final List<WalSegmentName> segments;
  private WalWriter writer;
  private HardState hardState;
  // Invariant: lastIndex >= snapshotIndex; the next entry's index is at most lastIndex + 1.
  private long lastIndex;
  private long snapshotIndex;
  private long snapshotTerm;
  private boolean closed;

  private Wal(Path dir, WalOptions options, WalRecovery recovered, List<WalSegmentName> segments, WalWriter writer)
      throws IOException {
    this.dir = dir;
    this.options = options;
    this.metadata = recovered.metadata();
    this.recovered = recovered;
    this.segments = segments;
    this.hardState = recovered.hardState();
    this.snapshotIndex = recovered.snapshotIndex();
    this.snapshotTerm = recovered.snapshotTerm();
    List<Entry> entries = recovered.entries();
    this.lastIndex = entries.isEmpty() ? snapshotIndex : entries.get(entries.size() - 1).getIndex();
    this.writer = writer;
  }

  /**
   * Creates a WAL in {@code dir}, which must not exist or be empty. The first segment is written
   * in a sibling temporary directory that is renamed into place, so a crash leaves either no WAL
   * or a complete one.
   */
  public static Wal create(Path dir, WalOptions options, ByteString metadata) throws IOException {
    if (exists(dir)) {
      throw new FileAlreadyExistsException(dir.toString(), null, "wal: a WAL already exists");
    }
    if (Files.exists(dir)) {
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
        if (files.iterator().hasNext()) {
          throw new FileAlreadyExistsException(dir.toString(), null, "wal: directory is not empty");
        }
      }
      Files.delete(dir);
    }
    Path parent = dir.toAbsolutePath().getParent();
    Path temporaryDir = parent.resolve(dir.getFileName() + ".tmp");
    deleteRecursively(temporaryDir);
    Files.createDirectories(temporaryDir);
    WalSegmentName first = new WalSegmentName(1, 1);
    HardState hardState = HardState.getDefaultInstance();
    WalWriter writer =
        WalSegments.create(temporaryDir, first, options.segmentSizeBytes(), 0, metadata, 0, 0, hardState);
    try {
      Files.move(temporaryDir, dir, StandardCopyOption.ATOMIC_MOVE);
      FileSync.directory(parent);
      WalRecovery recovery = new WalRecovery(metadata, hardState, List.of(), 0, 0);
      Wal wal = new Wal(dir, options, recovery, new ArrayList<>(List.of(first)), writer);
      wal.lockWriter();
      log.info("created a new WAL, dir={}", dir);
      return wal;
    } catch (IOException | RuntimeException e) {
      writer.close();
      throw e;
    }
  }

  /**
   * Opens the WAL in {@code dir} for appending, after reading it whole. A torn tail left by a
   * crash is cut off (and logged); anything else that fails its checks is a {@link
   * WalCorruptException}.
   */
  public static Wal open(Path dir, WalOptions options) throws IOException {
    List<WalSegmentName> names = WalSegments.list(dir);
    if (names.isEmpty()) {
      throw new NoSuchFileException(dir.toString(), null, "wal: no WAL segments");
    }
    WalSegmentName lastName = names.get(names.size() - 1);
    Path lastFile = dir.resolve(lastName.fileName());
    // Lock before reading: a tail that another process is still writing would look torn.
    FileChannel channel = FileChannel.open(lastFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      lock(channel, dir);
      for (Path leftover : WalSegments.leftoverTemporaryFiles(dir)) {
        log.info("removing an unfinished WAL segment, path={}", leftover);
        Files.delete(leftover);
      }
      WalReplay replay = new WalReplay();
      WalSegmentScanner.Result scanned = null;
      for (int i = 0; i < names.size(); i++) {
        WalSegmentName name = names.get(i);
        Path file = dir.resolve(name.fileName());
        if (i > 0 && name.sequence() != names.get(i - 1).sequence() + 1) {
          throw new WalCorruptException(file, 0,
              "segment sequence jumps from " + names.get(i - 1).sequence() + " to " + name.sequence());
        }
        int previousCrc = scanned == null ? 0 : scanned.lastCrc();
        scanned = i == names.size() - 1
            ? WalSegmentScanner.scan(file, WalSegments.readWhole(channel, file), true)
            : scanSegment(file);
        if (i > 0 && scanned.previousSegmentCrc() != previousCrc) {
          throw new WalCorruptException(file, 0, "checksum chain broken: the segment does not follow its predecessor");
        }
        checkSegmentHeader(file, name, scanned.records().get(0));
        for (WalSegmentScanner.Record record : scanned.records()) {
          replay.apply(file, record);
        }
      }
      WalRecovery recovery = replay.finish(lastFile);
      if (scanned.tornReason() != null) {
        repairTornTail(channel, lastFile, scanned, options);
      }
      WalWriter writer =
          new WalWriter(channel, scanned.endOffsetBytes(), scanned.lastCrc(), WalSegments.WRITE_BUFFER_BYTES);
      Wal wal = new Wal(dir, options, recovery, new ArrayList<>(names), writer);
      log.info("opened WAL, dir={}, segments={}, snapshot-index={}, entries={}, last-index={}",
          dir, names.size(), recovery.snapshotIndex(), recovery.entries().size(), wal.lastIndex);
      return wal;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** Whether {@code dir} holds at least one WAL segment. */
  public static boolean exists(Path dir) {
    try {
      return Files.isDirectory(dir) && !WalSegments.list(dir).isEmpty();
    } catch (IOException e) {
      return false;
    }
  }

  /** What the WAL held when it was opened (or the empty state, for a WAL just created). */
  public WalRecovery recovered() {
    return recovered;
  }

  /**
   * Buffers {@code entries} and then {@code hardState} (if not null and changed). Nothing is
   * durable until {@link #sync()}. An entry at or below the last index replaces the log from its
   * index on; an entry may never skip an index.
   */
  public void append(HardState hardState, List<Entry> entries) throws IOException {
    checkOpen();
    for (Entry entry : entries) {
      long index = entry.getIndex();
      if (index > lastIndex + 1) {
        throw new IllegalArgumentException(
            "wal: entry index " + index + " would leave a gap after last index " + lastIndex);
      }
      writer.appendMessage(WalRecords.TYPE_ENTRY, entry);
      lastIndex = Math.max(index, snapshotIndex);
    }
    if (hardState != null && !hardState.equals(this.hardState)) {
      writer.appendMessage(WalRecords.TYPE_HARD_STATE, hardState);
      this.hardState = hardState;
    }
    if (writer.offsetBytes() >= options.segmentSizeBytes()) {
      cut();
    }
  }

  /** Makes everything appended so far durable: one fsync, or nothing if nothing is new. */
  public void sync() throws IOException {
    checkOpen();
    long startNanos = System.nanoTime();
    writer.sync();
    long tookNanos = System.nanoTime() - startNanos;
    if (tookNanos > SLOW_SYNC_NANOS) {
      log.warn("slow fdatasync, took={}ms, expected-duration={}ms",
          TimeUnit.NANOSECONDS.toMillis(tookNanos), TimeUnit.NANOSECONDS.toMillis(SLOW_SYNC_NANOS));
    }
  }

  /**
   * Records, durably, that a snapshot at {@code index} exists (its file must already be saved):
   * recovery then returns only the entries after it.
   */
  public void saveSnapshotMarker(long index, long term) throws IOException {
    checkOpen();
    if (index < snapshotIndex) {
      throw new IllegalArgumentException(
          "wal: snapshot marker at index " + index + " is older than the one at " + snapshotIndex);
    }
    writer.appendSnapshotMarker(index, term);
    snapshotIndex = index;
    snapshotTerm = term;
    lastIndex = Math.max(lastIndex, index);
    sync();
  }

  /**
   * Deletes the oldest segments as long as every live entry in them precedes {@code index}. The
   * segment being written is never deleted. {@code index} may not pass the last snapshot marker
   * by more than one, since recovery must find every entry after the marker.
   */
  public void releaseBefore(long index) throws IOException {
    checkOpen();
    if (index > snapshotIndex + 1) {
      throw new IllegalArgumentException(
          "wal: cannot release entries before " + index + " past the snapshot marker at " + snapshotIndex);
    }
    // A segment's name holds the last index plus one at the time it was opened, so every live
    // entry of the segments before it is below that index; conflicts can make names go down, so
    // look for the newest segment that qualifies.
    int keepFrom = 0;
    for (int i = segments.size() - 1; i > 0; i--) {
      if (segments.get(i).firstIndex() <= index) {
        keepFrom = i;
        break;
      }
    }
    if (keepFrom == 0) {
      return;
    }
    // Oldest first, so that a crash part way leaves a contiguous run of segments.
    for (int i = 0; i < keepFrom; i++) {
      Path file = dir.resolve(segments.get(i).fileName());
      Files.deleteIfExists(file);
      log.info("released WAL segment, path={}", file);
    }
    segments.subList(0, keepFrom).clear();
    FileSync.directory(dir);
  }

  /** Syncs what was appended and closes the current segment. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      writer.sync();
    } finally {
      writer.close();
    }
  }

  /** Finishes the current segment and continues in a new one. */
  private void cut() throws IOException {
    WalSegmentName current = segments.get(segments.size() - 1);
    writer.truncateToEndAndSync();
    int previousCrc = writer.lastCrc();
    WalSegmentName next = new WalSegmentName(current.sequence() + 1, lastIndex + 1);
    WalWriter nextWriter = WalSegments.create(
        dir, next, options.segmentSizeBytes(), previousCrc, metadata, snapshotIndex, snapshotTerm, hardState);
    writer.close();
    writer = nextWriter;
    segments.add(next);
    lockWriter();
    log.info("created a new WAL segment, path={}", dir.resolve(next.fileName()));
  }

  private void lockWriter() throws IOException {
    writer.lock(dir);
  }

  /**
   * Guards against a second process (or a second {@code Wal} in this one) on the same WAL. The
   * lock lives as long as the channel.
   */
  static void lock(FileChannel channel, Path dir) throws IOException {
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      throw new IOException("wal: " + dir + " is locked by another process");
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("wal: closed");
    }
  }

  private static WalSegmentScanner.Result scanSegment(Path file) throws IOException {
    ByteBuffer contents;
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      contents = WalSegments.readWhole(channel, file);
    }
    return WalSegmentScanner.scan(file, contents, false);
  }

  private static void checkSegmentHeader(Path file, WalSegmentName name, WalSegmentScanner.Record header)
      throws WalCorruptException {
    long sequence = header.payload().getLong(8);
    long firstIndex = header.payload().getLong(16);
    if (sequence != name.sequence() || firstIndex != name.firstIndex()) {
      throw new WalCorruptException(file, 0,
          "segment header says sequence " + sequence + " and first index " + firstIndex + ", unlike its file name");
    }
  }

  private static void repairTornTail(
      FileChannel channel, Path file, WalSegmentScanner.Result scanned, WalOptions options) throws IOException {
    channel.truncate(scanned.endOffsetBytes());
    WalSegments.preallocate(channel, options.segmentSizeBytes());
    channel.force(true);
    log.warn("repaired torn WAL tail, path={}, offset={}, discarded-bytes={}, reason={}",
        file, scanned.endOffsetBytes(), scanned.discardedBytes(), scanned.tornReason());
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    if (Files.isDirectory(path)) {
      try (DirectoryStream<Path> children = Files.newDirectoryStream(path)) {
        for (Path child : children) {
          deleteRecursively(child);
        }
      }
    }
    Files.delete(path);
  }
}
