package io.strata.mvcc;

import com.google.protobuf.ByteString;
import io.strata.api.mvccpb.Event;
import io.strata.api.mvccpb.KeyValue;
import java.util.ArrayList;
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

  /** Puts {@code key}; returns the revision the put gets. */
  long put(ByteString key, ByteString value, long leaseId) {
    long rev = beginRev + 1;
    KeyIndex ki = store.index.getOrCreate(key);
    KeyIndex.Found before = ki.get(rev);
    KeyValue prev = before == null ? null : store.keyValue(before.modified());
    Revision at = new Revision(rev, changes.size());
    long version = ki.put(at);
    KeyValue kv = KeyValue.newBuilder()
        .setKey(key)
        .setValue(value)
        .setCreateRevision(prev == null ? rev : prev.getCreateRevision())
        .setModRevision(rev)
        .setVersion(version)
        .setLease(leaseId)
        .build();
    Invariants.check(prev == null || prev.getVersion() + 1 == version,
        "version of %s goes from %d to %d", key.toStringUtf8(), prev == null ? 0 : prev.getVersion(),
        version);
    store.revisions.put(at, new StoredRecord(false, kv).encode());
    if (prev != null) {
      store.leases.detach(prev.getLease(), key);
    }
    store.leases.attach(leaseId, key);
    Event.Builder event = Event.newBuilder().setType(Event.EventType.PUT).setKv(kv);
    if (prev != null) {
      event.setPrevKv(prev);
    }
    changes.add(event.build());
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

  private void delete(ByteString key) {
    long rev = beginRev + 1;
    KeyIndex ki = store.index.get(key);
    KeyValue prev = store.keyValue(ki.get(rev).modified());
    Revision at = new Revision(rev, changes.size());
    ki.tombstone(at);
    KeyValue tombstone = KeyValue.newBuilder().setKey(key).setModRevision(rev).build();
    store.revisions.put(at, new StoredRecord(true, tombstone).encode());
    store.leases.detach(prev.getLease(), key);
    changes.add(Event.newBuilder()
        .setType(Event.EventType.DELETE)
        .setKv(tombstone)
        .setPrevKv(prev)
        .build());
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
      if (e.hasPrevKv()) {
        store.leases.attach(e.getPrevKv().getLease(), key);
      }
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
