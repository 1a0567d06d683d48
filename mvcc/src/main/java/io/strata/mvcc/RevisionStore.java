package io.strata.mvcc;

import com.google.protobuf.ByteString;
import io.strata.api.mvccpb.Event;
import io.strata.api.mvccpb.KeyValue;
import java.util.ArrayList;
import java.util.List;

/**
 * The state of the store: the key index, the revision map, the lease index and the revision
 * counters. It knows how to read at a revision, compact and replay history; it does no locking
 * (that is {@link MvccStore}'s job) and knows nothing of protobuf requests.
 */
final class RevisionStore implements AutoCloseable {
  /** The most revisions one history read looks at; the writer waits while it runs. */
  static final int MAX_SCANNED_REVISIONS = 10_000;

  final TreeIndex index = new TreeIndex();
  final LeaseIndex leases = new LeaseIndex();
  final RevisionMap revisions;

  // Invariant: every revision <= currentRev is complete in the index and the map, and nothing
  // above it is visible to readers. An empty store is at revision 1, as etcd's is.
  private volatile long currentRev = 1;
  // Invariant: compactMainRev <= currentRev; -1 until the first compaction.
  private volatile long compactMainRev = -1;
  // How many sub revisions the revision compactMainRev had before compaction deleted some of
  // them, so that reading history from exactly that revision finds the survivors.
  private long compactBoundarySubs;
  private volatile long consistentIndex;

  RevisionStore(long expectedEntries) {
    this.revisions = RevisionMap.create(expectedEntries);
  }

  long currentRev() {
    return currentRev;
  }

  long compactMainRev() {
    return compactMainRev;
  }

  long compactBoundarySubs() {
    return compactBoundarySubs;
  }

  long consistentIndex() {
    return consistentIndex;
  }

  void setConsistentIndex(long consistentIndex) {
    this.consistentIndex = consistentIndex;
  }

  /** Makes a finished write transaction visible. */
  void advanceTo(long rev) {
    Invariants.check(rev == currentRev + 1, "revision jumps from %d to %d", currentRev, rev);
    currentRev = rev;
  }

  /** Sets the counters read from a snapshot. */
  void restoreCounters(long current, long compactMain, long boundarySubs, long consistent) {
    Invariants.check(current >= 1 && compactMain <= current,
        "snapshot counters: current %d, compacted %d", current, compactMain);
    this.currentRev = current;
    this.compactMainRev = compactMain;
    this.compactBoundarySubs = boundarySubs;
    this.consistentIndex = consistent;
  }

  StoredRecord record(Revision rev) {
    byte[] bytes = revisions.get(rev);
    Invariants.check(bytes != null, "revision %s is in the index but not in the map", rev);
    return StoredRecord.decode(bytes);
  }

  KeyValue keyValue(Revision rev) {
    StoredRecord record = record(rev);
    Invariants.check(!record.tombstone(), "revision %s is a tombstone, not a value", rev);
    return record.kv();
  }

  /** The store's range read (etcd's rangeKeys), as seen by a view at {@code viewRev}. */
  RangeResult rangeKeys(KeyRange range, long atRev, long limit, boolean countOnly, long viewRev) {
    long rev = atRev;
    if (rev > viewRev) {
      throw new KvException(KvError.FUTURE_REVISION);
    }
    if (rev <= 0) {
      rev = viewRev;
    }
    if (rev < compactMainRev) {
      throw new KvException(KvError.COMPACTED);
    }
    if (countOnly) {
      return new RangeResult(List.of(), index.count(range, rev), viewRev);
    }
    List<TreeIndex.Hit> hits = new ArrayList<>();
    long total = index.range(range, rev, limit, hits);
    List<KeyValue> kvs = new ArrayList<>(hits.size());
    for (TreeIndex.Hit hit : hits) {
      kvs.add(keyValue(hit.found().modified()));
    }
    return new RangeResult(kvs, total, viewRev);
  }

  /** The value of {@code key} at {@code atMain}, or null when it does not exist then. */
  KeyValue valueAt(ByteString key, long atMain) {
    TreeIndex.Hit hit = index.find(key, atMain);
    return hit == null ? null : keyValue(hit.found().modified());
  }

  /**
   * Forgets, in the index, the history that compaction at {@code rev} drops (the history below
   * {@code rev} except the value of every key alive at {@code rev}; at {@code rev} itself only
   * the puts that a later change of the same key replaced within it), and returns the revisions to delete from the map, which
   * {@link #dropRevisions} does afterwards. The caller has checked
   * {@code compactMainRev < rev <= currentRev}.
   */
  List<Revision> compactIndex(long rev) {
    Invariants.check(rev > compactMainRev && rev <= currentRev,
        "compaction at %d, compacted %d, current %d", rev, compactMainRev, currentRev);
    long subs = 0;
    while (revisions.contains(new Revision(rev, subs))) {
      subs++;
    }
    compactMainRev = rev;
    compactBoundarySubs = subs;
    List<Revision> removed = index.compact(rev);
    for (Revision r : removed) {
      Invariants.check(r.main() <= rev, "compaction at %d removes %s", rev, r);
    }
    return removed;
  }

  /**
   * Deletes revisions that the index no longer reaches. Readers may run meanwhile: no read at
   * or above the compacted revision looks for them, and history reads at the compacted
   * revision itself ask the index whether a record there survived.
   */
  void dropRevisions(List<Revision> removed) {
    for (Revision r : removed) {
      revisions.remove(r);
    }
  }

  /**
   * The events of revisions {@code fromRev..toRev} (toRev clamped to the current revision) for
   * keys in {@code range}, stopping after the revision in which {@code maxEvents} is reached
   * or after {@link #MAX_SCANNED_REVISIONS} revisions.
   */
  EventBatch events(long fromRev, long toRev, KeyRange range, int maxEvents, boolean withPrevKv) {
    if (fromRev < compactMainRev) {
      throw new KvException(KvError.COMPACTED);
    }
    long from = Math.max(1, fromRev);
    long to = Math.min(Math.min(toRev, currentRev), from + MAX_SCANNED_REVISIONS - 1);
    List<Event> events = new ArrayList<>();
    long main = from;
    for (; main <= to && events.size() < maxEvents; main++) {
      boolean boundary = main == compactMainRev;
      for (long sub = 0; !boundary || sub < compactBoundarySubs; sub++) {
        byte[] bytes = revisions.get(new Revision(main, sub));
        if (bytes == null) {
          if (boundary) {
            continue;
          }
          break;
        }
        StoredRecord record = StoredRecord.decode(bytes);
        if (boundary && !survivesCompaction(record, new Revision(main, sub))) {
          // Compaction deletes the puts at its revision that the same revision replaced; the
          // map may still hold some of them while they are being dropped.
          continue;
        }
        if (!range.contains(record.kv().getKey())) {
          continue;
        }
        Event.Builder event = Event.newBuilder()
            .setType(record.tombstone() ? Event.EventType.DELETE : Event.EventType.PUT)
            .setKv(record.kv());
        if (withPrevKv && main - 1 >= compactMainRev) {
          KeyValue prev = valueAt(record.kv().getKey(), main - 1);
          if (prev != null) {
            event.setPrevKv(prev);
          }
        }
        events.add(event.build());
      }
    }
    return new EventBatch(events, main);
  }

  /** Whether the index still reaches {@code rev}, which holds {@code record}. */
  private boolean survivesCompaction(StoredRecord record, Revision rev) {
    KeyIndex ki = index.get(record.kv().getKey());
    return ki != null && ki.contains(rev);
  }

  @Override
  public void close() {
    revisions.close();
  }
}
