package io.strata.mvcc;

import com.google.protobuf.ByteString;
import io.strata.api.mvccpb.Event;
import io.strata.api.mvccpb.KeyValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One write transaction: every change it makes gets main revision {@code beginRev + 1} and the
 * next sub revision, and goes into the index and the map at once (the store's write lock keeps
 * readers out until {@link #end()}). Its reads see its own earlier changes, as etcd's do. A
 * transaction that changes nothing ends without a new revision.
 */
final class WriteTxn implements ReadView {
  private final RevisionStore store;
  private final long beginRev;
  private final List<Event> changes = new ArrayList<>();
  // The lease each change took the key off (0 for none), by position in changes: what a
  // rollback attaches the key to again.
  private long[] previousLeases = new long[4];

  WriteTxn(RevisionStore store) {
    this.store = store;
    this.beginRev = store.currentRev();
  }

  long beginRev() {
    return beginRev;
  }

  List<Event> changes() {
    return changes;
  }

  /** The revision this transaction's reads see: its own, once it has changed something. */
  @Override
  public long rev() {
    return changes.isEmpty() ? beginRev : beginRev + 1;
  }

  @Override
  public long firstRev() {
    return store.compactMainRev();
  }

  @Override
  public RangeResult rangeKeys(KeyRange range, long atRev, long limit, boolean countOnly) {
    return store.rangeKeys(range, atRev, limit, countOnly, rev());
  }

  /**
   * Puts {@code key}; returns the revision the put gets. The creation revision and version
   * come from the key index and the replaced lease from the lease index, so a put never reads
   * the key's previous record back from the map: its event carries no prev_kv, which whoever
   * needs it reads at {@code mod_revision - 1}.
   */
  long put(ByteString key, ByteString value, long leaseId) {
    long rev = beginRev + 1;
    KeyIndex ki = store.index.getOrCreate(key);
    KeyIndex.Found before = ki.get(rev);
    Revision at = new Revision(rev, changes.size());
    long version = ki.put(at);
    Invariants.check(version == (before == null ? 1 : before.version() + 1),
        "version of %s goes from %d to %d", key.toStringUtf8(),
        before == null ? 0 : before.version(), version);
    KeyValue kv = KeyValue.newBuilder()
        .setKey(key)
        .setValue(value)
        .setCreateRevision(before == null ? rev : before.createdMain())
        .setModRevision(rev)
        .setVersion(version)
        .setLease(leaseId)
        .build();
    store.revisions.put(at, new StoredRecord(false, kv).encode());
    long previousLease = store.leases.leaseOf(key);
    Invariants.check(before != null || previousLease == 0,
        "key %s is not live but still attached to lease %d", key.toStringUtf8(), previousLease);
    store.leases.detach(previousLease, key);
    store.leases.attach(leaseId, key);
    record(Event.newBuilder().setType(Event.EventType.PUT).setKv(kv).build(), previousLease);
    return rev;
  }

  /** Deletes the keys of {@code range} alive now; returns how many there were. */
  long deleteRange(KeyRange range) {
    long viewRev = rev();
    List<ByteString> keys = new ArrayList<>();
    for (KeyIndex ki : store.index.inRange(range)) {
      if (ki.get(viewRev) != null) {
        keys.add(ki.key());
      }
    }
    for (ByteString key : keys) {
      delete(key);
    }
    return keys.size();
  }

  /**
   * Deletes {@code key}. Unlike a put it reads the previous record, for its event's prev_kv:
   * deletes are rare next to puts, and watchers that need the deleted value (Kubernetes always
   * does) then get it even when the revision before has been compacted by the time it is sent.
   */
  private void delete(ByteString key) {
    long rev = beginRev + 1;
    KeyIndex ki = store.index.get(key);
    KeyValue prev = store.keyValue(ki.get(rev).modified());
    Revision at = new Revision(rev, changes.size());
    ki.tombstone(at);
    KeyValue tombstone = KeyValue.newBuilder().setKey(key).setModRevision(rev).build();
    store.revisions.put(at, new StoredRecord(true, tombstone).encode());
    long previousLease = store.leases.leaseOf(key);
    Invariants.check(previousLease == prev.getLease(), "key %s holds lease %d but is indexed under %d",
        key.toStringUtf8(), prev.getLease(), previousLease);
    store.leases.detach(previousLease, key);
    record(Event.newBuilder()
        .setType(Event.EventType.DELETE)
        .setKv(tombstone)
        .setPrevKv(prev)
        .build(), previousLease);
  }

  private void record(Event change, long previousLease) {
    int i = changes.size();
    if (i == previousLeases.length) {
      previousLeases = Arrays.copyOf(previousLeases, i * 2);
    }
    previousLeases[i] = previousLease;
    changes.add(change);
  }

  /**
   * Takes back every change, newest first, leaving the index, the map and the lease index as
   * the transaction found them. Used when a check inside the transaction fails after earlier
   * operations wrote (etcd stops the process there; a refusal that changes nothing is better).
   */
  void rollback() {
    for (int i = changes.size() - 1; i >= 0; i--) {
      Event e = changes.get(i);
      ByteString key = e.getKv().getKey();
      Revision at = new Revision(beginRev + 1, i);
      store.revisions.remove(at);
      store.index.get(key).undo(at);
      store.index.removeIfEmpty(key);
      if (e.getType() == Event.EventType.PUT) {
        store.leases.detach(e.getKv().getLease(), key);
      }
      store.leases.attach(previousLeases[i], key);
    }
    changes.clear();
  }

  /** Makes the changes visible; returns the revision the store is at afterwards. */
  long end() {
    if (!changes.isEmpty()) {
      store.advanceTo(beginRev + 1);
    }
    return store.currentRev();
  }
}
