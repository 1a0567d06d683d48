package io.strata.raft;

import com.google.protobuf.ByteString;
import io.strata.raft.proto.ConfState;
import io.strata.raft.proto.Entry;
import io.strata.raft.proto.HardState;
import io.strata.raft.proto.Snapshot;
import io.strata.raft.proto.SnapshotMetadata;
import java.util.ArrayList;
import java.util.List;

/**
 * An in-memory {@link RaftStorage} that the caller fills with what it has persisted: hard states,
 * entries and snapshots. On restart the caller rebuilds it from the write-ahead log and the latest
 * snapshot file before creating the {@link RaftNode}.
 *
 * <p>Methods are synchronized because the caller may append on its persistence thread while the
 * core reads on another.
 */
public final class MemoryRaftStorage implements RaftStorage {
  private HardState hardState = HardState.getDefaultInstance();
  private Snapshot snapshot = emptySnapshot();
  // Invariant: entries.get(0) is a placeholder holding the snapshot's index and term; real entries
  // follow it at consecutive indexes.
  private final ArrayList<Entry> entries = new ArrayList<>();

  public MemoryRaftStorage() {
    entries.add(Entry.getDefaultInstance());
  }

  private static Snapshot emptySnapshot() {
    return Snapshot.newBuilder()
        .setMetadata(SnapshotMetadata.newBuilder().setConfState(ConfState.getDefaultInstance()))
        .build();
  }

  @Override
  public synchronized InitialState initialState() {
    return new InitialState(hardState, snapshot.getMetadata().getConfState());
  }

  public synchronized void setHardState(HardState state) {
    hardState = state;
  }

  public synchronized HardState hardState() {
    return hardState;
  }

  @Override
  public synchronized List<Entry> entries(long lo, long hi, long maxSizeBytes) {
    long offset = offset();
    if (lo <= offset) {
      throw new CompactedLogException(lo, offset + 1);
    }
    if (hi > lastIndexLocked() + 1) {
      throw new UnavailableLogException(hi - 1, lastIndexLocked());
    }
    if (entries.size() == 1) {
      throw new UnavailableLogException(lo, lastIndexLocked());
    }
    return EntrySizes.limit(entries.subList((int) (lo - offset), (int) (hi - offset)), maxSizeBytes);
  }

  @Override
  public synchronized long term(long index) {
    long offset = offset();
    if (index < offset) {
      throw new CompactedLogException(index, offset + 1);
    }
    if (index - offset >= entries.size()) {
      throw new UnavailableLogException(index, lastIndexLocked());
    }
    return entries.get((int) (index - offset)).getTerm();
  }

  @Override
  public synchronized long firstIndex() {
    return offset() + 1;
  }

  @Override
  public synchronized long lastIndex() {
    return lastIndexLocked();
  }

  @Override
  public synchronized Snapshot snapshot() {
    return snapshot;
  }

  private long offset() {
    return entries.get(0).getIndex();
  }

  private long lastIndexLocked() {
    return offset() + entries.size() - 1;
  }

  /**
   * Replaces the whole log with {@code snap}. A snapshot at index 0 is accepted by an empty
   * storage: that is how a new cluster is bootstrapped with its initial voters.
   *
   * @throws SnapshotOutOfDateException if {@code snap} is older than the current snapshot
   */
  public synchronized void applySnapshot(Snapshot snap) {
    long current = snapshot.getMetadata().getIndex();
    long requested = snap.getMetadata().getIndex();
    boolean bootstrap = requested == 0 && current == 0 && entries.size() == 1;
    if (requested <= current && !bootstrap) {
      throw new SnapshotOutOfDateException(requested, current);
    }
    snapshot = snap;
    entries.clear();
    entries.add(Entry.newBuilder().setIndex(requested).setTerm(snap.getMetadata().getTerm()).build());
  }

  /**
   * Records a snapshot of the state machine at {@code index} (which must have been applied); the
   * caller then usually calls {@link #compact} to drop the entries it covers.
   */
  public synchronized Snapshot createSnapshot(long index, ConfState confState, ByteString data) {
    long current = snapshot.getMetadata().getIndex();
    if (index <= current) {
      throw new SnapshotOutOfDateException(index, current);
    }
    long offset = offset();
    Invariants.check(index <= lastIndexLocked(), "snapshot index %d > last index %d", index, lastIndexLocked());
    SnapshotMetadata.Builder metadata = SnapshotMetadata.newBuilder()
        .setIndex(index)
        .setTerm(entries.get((int) (index - offset)).getTerm())
        .setConfState(confState != null ? confState : snapshot.getMetadata().getConfState());
    snapshot = Snapshot.newBuilder().setMetadata(metadata).setData(data).build();
    return snapshot;
  }

  /**
   * Discards the entries up to and including {@code index}, which must be applied and covered by
   * a snapshot the caller keeps.
   */
  public synchronized void compact(long index) {
    long offset = offset();
    if (index <= offset) {
      throw new CompactedLogException(index, offset + 1);
    }
    Invariants.check(index <= lastIndexLocked(), "compact index %d > last index %d", index, lastIndexLocked());
    int cut = (int) (index - offset);
    Entry last = entries.get(cut);
    Entry placeholder = Entry.newBuilder().setIndex(last.getIndex()).setTerm(last.getTerm()).build();
    ArrayList<Entry> kept = new ArrayList<>(entries.subList(cut + 1, entries.size()));
    entries.clear();
    entries.add(placeholder);
    entries.addAll(kept);
  }

  /**
   * Appends persisted entries; an entry at an index that is already stored replaces it and
   * everything after it, as a follower's log does when a new leader overwrites a conflicting tail.
   */
  public synchronized void append(List<Entry> newEntries) {
    if (newEntries.isEmpty()) {
      return;
    }
    long first = offset() + 1;
    long newFirst = newEntries.get(0).getIndex();
    long newLast = newFirst + newEntries.size() - 1;
    if (newLast < first) {
      return;
    }
    List<Entry> tail = newEntries;
    if (first > newFirst) {
      tail = newEntries.subList((int) (first - newFirst), newEntries.size());
    }
    long at = tail.get(0).getIndex() - offset();
    Invariants.check(at <= entries.size(), "missing log entry: last index %d, appended at %d",
        lastIndexLocked(), tail.get(0).getIndex());
    while (entries.size() > at) {
      entries.remove(entries.size() - 1);
    }
    entries.addAll(tail);
  }
}
