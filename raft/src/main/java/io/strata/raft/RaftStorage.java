package io.strata.raft;

import io.strata.raft.proto.Entry;
import io.strata.raft.proto.Snapshot;
import java.util.List;

/**
 * The read-only view of stable storage that the core consults. The caller writes to it (after
 * persisting what a {@link Ready} asked for); the core only reads. Index 0 is never a real entry:
 * the log's first real index is 1, or the one after the latest snapshot.
 */
public interface RaftStorage {
  InitialState initialState();

  /**
   * Entries in {@code [lo, hi)}, cut after the first entry that makes the total serialized size
   * exceed {@code maxSizeBytes}; at least one entry is returned when the range is not empty.
   *
   * @throws CompactedLogException if {@code lo} is at or below the snapshot index
   * @throws UnavailableLogException if the range is beyond the last stored entry
   */
  List<Entry> entries(long lo, long hi, long maxSizeBytes);

  /**
   * The term of the entry at {@code index}; the snapshot's index is answered with the snapshot's
   * term even though its entry is gone.
   *
   * @throws CompactedLogException if {@code index} is below the snapshot index
   * @throws UnavailableLogException if {@code index} is beyond the last stored entry
   */
  long term(long index);

  /** The index of the first entry that may be read: the snapshot's index plus one. */
  long firstIndex();

  /** The index of the last stored entry, or the snapshot's index when no entry follows it. */
  long lastIndex();

  /** The latest snapshot; an empty snapshot (index 0) when there is none. */
  Snapshot snapshot();
}
