package io.strata.mvcc;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * The store as it was at one moment, to be written out later, on any thread, while writes go
 * on. Taking it costs one walk of the key index; writing it reads the records from the live
 * revision map a chunk at a time, so the writer waits at most one chunk's read, never the
 * whole snapshot. Newer writes do not disturb it because they only add records; compaction,
 * which removes records, leaves them in the map until every open snapshot is closed.
 *
 * <p>Close it once written (or abandoned): until then compacted records stay in the map.
 */
public final class StoreSnapshot implements AutoCloseable {
  /** Records read under one hold of the read lock. */
  static final int CHUNK_RECORDS = 1024;

  /** Reads records of the revisions given, in order, into the array given. */
  interface RecordSource {
    void read(List<Revision> revisions, byte[][] into);
  }

  private final SnapshotFormat.Header header;
  private final long baseRevision;
  private final List<Revision> revisions;
  private final RecordSource records;
  private final Runnable release;
  private boolean closed;

  StoreSnapshot(SnapshotFormat.Header header, long baseRevision, List<Revision> revisions, RecordSource records,
      Runnable release) {
    this.header = header;
    this.baseRevision = baseRevision;
    this.revisions = revisions;
    this.records = records;
    this.release = release;
  }

  /** The raft index of the last entry this snapshot reflects. */
  public long consistentIndex() {
    return header.consistentIndex();
  }

  /** The store's revision when the snapshot was taken. */
  public long revision() {
    return header.currentRev();
  }

  /**
   * The revision whose state this snapshot adds its changes to, or -1 when it holds the whole
   * state; see {@link MvccStore#beginSnapshotSince}.
   */
  public long baseRevision() {
    return baseRevision;
  }

  /** How many records it holds. */
  public int records() {
    return revisions.size();
  }

  /**
   * Writes the snapshot in the format {@link MvccStore#restore} reads (a section for
   * {@link MvccStore.Restore} when it holds only the changes since a base).
   *
   * @throws IllegalStateException if the store was closed meanwhile
   */
  public void writeTo(OutputStream out) throws IOException {
    if (closed) {
      throw new IllegalStateException("store snapshot is closed");
    }
    revisions.sort(null);
    SnapshotFormat.write(header, baseRevision, revisions, records, out);
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      release.run();
    }
  }
}
