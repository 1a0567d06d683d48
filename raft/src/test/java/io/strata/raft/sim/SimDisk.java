package io.strata.raft.sim;

import io.strata.raft.MemoryRaftStorage;
import io.strata.raft.proto.Entry;
import io.strata.raft.proto.HardState;
import io.strata.raft.proto.Snapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * A member's disk: what was fsynced survives a crash, what was only written does not. Writes go
 * to the live {@link MemoryRaftStorage} at once (as to the page cache) and to the durable copy
 * only when synced.
 */
final class SimDisk {
  private HardState durableHardState = HardState.getDefaultInstance();
  private Snapshot durableSnapshot;
  private final List<Entry> durableEntries = new ArrayList<>();
  // A hard state written without fsync (only the commit changed); lost on a crash.
  private HardState unsyncedHardState;

  SimDisk(Snapshot bootstrap) {
    this.durableSnapshot = bootstrap;
  }

  void writeSnapshot(Snapshot snapshot) {
    // Snapshots are written to their own file and synced before use.
    durableSnapshot = snapshot;
    durableEntries.clear();
  }

  void writeHardState(HardState state, boolean sync) {
    if (sync) {
      durableHardState = state;
      unsyncedHardState = null;
    } else {
      unsyncedHardState = state;
    }
  }

  /** Entries are always synced: the core asks for it whenever there are entries. */
  void writeEntries(List<Entry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    long first = entries.get(0).getIndex();
    durableEntries.removeIf(e -> e.getIndex() >= first);
    durableEntries.addAll(entries);
    if (unsyncedHardState != null) {
      durableHardState = unsyncedHardState;
      unsyncedHardState = null;
    }
  }

  /** Records a locally taken snapshot and the compaction behind it. */
  void snapshotAndCompact(Snapshot snapshot, long compactIndex) {
    durableSnapshot = snapshot;
    durableEntries.removeIf(e -> e.getIndex() <= compactIndex);
  }

  void crash() {
    unsyncedHardState = null;
  }

  Snapshot snapshot() {
    return durableSnapshot;
  }

  /** The highest index a restart would know to be committed, from what is durable. */
  long durableCommit() {
    return Math.max(durableHardState.getCommit(), durableSnapshot.getMetadata().getIndex());
  }

  /** Rebuilds the storage a restarted member reads, from what is durable. */
  MemoryRaftStorage recover() {
    MemoryRaftStorage storage = new MemoryRaftStorage();
    storage.applySnapshot(durableSnapshot);
    long snapIndex = durableSnapshot.getMetadata().getIndex();
    List<Entry> after = new ArrayList<>();
    for (Entry e : durableEntries) {
      if (e.getIndex() > snapIndex) {
        after.add(e);
      }
    }
    storage.append(after);
    HardState hs = durableHardState;
    if (hs.getCommit() < snapIndex) {
      hs = hs.toBuilder().setCommit(snapIndex).build();
    }
    storage.setHardState(hs);
    return storage;
  }
}
