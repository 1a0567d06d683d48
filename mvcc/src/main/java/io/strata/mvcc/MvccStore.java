package io.strata.mvcc;

import com.google.protobuf.ByteString;
import io.strata.api.etcdserverpb.CompactionRequest;
import io.strata.api.etcdserverpb.CompactionResponse;
import io.strata.api.etcdserverpb.DeleteRangeRequest;
import io.strata.api.etcdserverpb.DeleteRangeResponse;
import io.strata.api.etcdserverpb.PutRequest;
import io.strata.api.etcdserverpb.PutResponse;
import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.etcdserverpb.RangeResponse;
import io.strata.api.etcdserverpb.ResponseHeader;
import io.strata.api.etcdserverpb.TxnRequest;
import io.strata.api.etcdserverpb.TxnResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The multi-version key-value store with etcd's KV semantics, at the protobuf level.
 *
 * <p>Threads: writes (Put, DeleteRange, Txn with writes, Compact, restore of the consistent
 * index) come from one writer, the apply thread; reads (Range, read-only Txn, history, snapshot)
 * from any number of threads. The scheme is the simplest correct one: a read-write lock. A write
 * transaction holds the write lock while it changes the index and the map, so a reader sees
 * either all of a transaction or none of it; readers hold the read lock for the whole request.
 * The writer evaluates compares and checks before taking the write lock, without any lock:
 * it is the only thread that changes anything. A mutex keeps writers in single file in case
 * more than one thread writes. Compaction trims the index under the write lock, then deletes
 * the unreachable revisions from the map with readers running, or, while a snapshot is being
 * written, after it.
 *
 * <p>Responses carry only {@code header.revision}; the server fills in the rest of the header.
 * Requests are assumed to have passed {@link KvRequestValidator}, as in etcd, where the gRPC
 * layer checks them before they are proposed.
 */
public final class MvccStore implements AutoCloseable {
  private final RevisionStore store;
  private final KvOps ops;
  private final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
  private final Lock writer = new ReentrantLock();
  private final ReadView committed;
  private volatile RevisionListener listener;
  /** Snapshots begun and not yet closed; while there are any, compaction keeps records in the map. */
  private final AtomicInteger openSnapshots = new AtomicInteger();
  // Only the writer touches it, under the writer lock.
  private List<Revision> undroppedRevisions = new ArrayList<>();
  private volatile boolean closed;
  // Set when a write failed half-way; the state can no longer be trusted.
  private volatile RuntimeException broken;

  private MvccStore(MvccOptions options) {
    this.store = new RevisionStore(options.expectedEntries());
    this.ops = new KvOps(options.leases());
    this.committed = new ReadView() {
      @Override
      public long rev() {
        return store.currentRev();
      }

      @Override
      public long firstRev() {
        return store.compactMainRev();
      }

      @Override
      public RangeResult rangeKeys(KeyRange range, long atRev, long limit, boolean countOnly) {
        return store.rangeKeys(range, atRev, limit, countOnly, store.currentRev());
      }
    };
  }

  public static MvccStore open(MvccOptions options) {
    return new MvccStore(options);
  }

  /** A store holding the state that {@link #writeSnapshot} wrote. */
  public static MvccStore restore(MvccOptions options, InputStream in) throws IOException {
    try (Restore restore = beginRestore(options)) {
      restore.section(in);
      return restore.finish();
    }
  }

  /**
   * Starts restoring a store from a chain of snapshot sections: a whole state, then the
   * changes since it, each based on the one before (see {@link #beginSnapshotSince}).
   */
  public static Restore beginRestore(MvccOptions options) {
    return new Restore(new MvccStore(options), null);
  }

  /**
   * Like {@link #beginRestore(MvccOptions)}, but the store keeps the records where they lie in
   * {@code input}'s bytes instead of copying them: restoring costs one read of the records to
   * index them. Read the sections from {@code input} (through streams that do not read ahead).
   */
  public static Restore beginRestore(MvccOptions options, SnapshotInput input) {
    return new Restore(new MvccStore(options), input);
  }

  /** A store being restored section by section; close it to abandon the restore. */
  public static final class Restore implements AutoCloseable {
    private final MvccStore store;
    private final SnapshotFormat.Reader reader;
    private boolean finished;

    private Restore(MvccStore store, SnapshotInput inPlace) {
      this.store = store;
      this.reader = new SnapshotFormat.Reader(store.store, inPlace);
    }

    /**
     * Reads one section, exactly its bytes; pass a buffered stream, or one over the
     * {@link SnapshotInput} the restore began with.
     */
    public void section(InputStream in) throws IOException {
      reader.section(in);
    }

    /** The store, holding the state of the last section read. */
    public MvccStore finish() throws IOException {
      reader.finish();
      finished = true;
      reader.close();
      return store;
    }

    @Override
    public void close() {
      if (!finished) {
        reader.close();
        store.close();
      }
    }
  }

  /** Registers the one listener told of every committed write revision (null to remove). */
  public void setEventListener(RevisionListener listener) {
    this.listener = listener;
  }

  /**
   * Range at {@code request.revision} (0 = current). {@code header.revision} is the current
   * revision even when an older one was read.
   *
   * @throws KvException COMPACTED below the compacted revision, FUTURE_REVISION above the
   *     current one
   */
  public RangeResponse range(RangeRequest request) {
    return read(() -> RangeOp.apply(committed, request));
  }

  /**
   * Put; {@code header.revision} is the revision of the put.
   *
   * @throws KvException LEASE_NOT_FOUND, or KEY_NOT_FOUND for ignore_value / ignore_lease on a
   *     missing key; nothing changes then
   */
  public PutResponse put(PutRequest request) {
    return write(() -> {
      ops.checkLease(request);
      return inWriteTxn(txn -> ops.put(txn, request));
    });
  }

  /** DeleteRange; deleting nothing makes no revision, and the header holds the current one. */
  public DeleteRangeResponse deleteRange(DeleteRangeRequest request) {
    return write(() -> inWriteTxn(txn -> ops.deleteRange(txn, request)));
  }

  /**
   * Txn. A transaction with only ranges runs as a reader, on any thread; any other goes
   * through the writer. {@code header.revision} is the revision after the transaction, which
   * is new only when something changed.
   *
   * @throws KvException LEASE_NOT_FOUND, KEY_NOT_FOUND, COMPACTED or FUTURE_REVISION from the
   *     operations of the chosen branches; nothing changes then
   */
  public TxnResponse txn(TxnRequest request) {
    if (TxnPath.isReadOnly(request)) {
      return read(() -> {
        TxnPath path = TxnPath.decide(committed, request);
        ops.checkTxn(committed, path, false);
        return ops.apply(committed, null, path)
            .setHeader(ResponseHeader.newBuilder().setRevision(committed.rev()))
            .build();
      });
    }
    return write(() -> {
      TxnPath path = TxnPath.decide(committed, request);
      ops.checkTxn(committed, path, true);
      // After the last operation the transaction's view is at the revision it ends with.
      return inWriteTxn(txn -> ops.apply(committed, txn, path)
          .setHeader(ResponseHeader.newBuilder().setRevision(txn.rev()))
          .build());
    });
  }

  /**
   * Compact at {@code request.revision}; {@code physical} makes no difference, the compaction
   * is done when this returns.
   *
   * @throws KvException COMPACTED at or below the compacted revision, FUTURE_REVISION above
   *     the current one
   */
  public CompactionResponse compact(CompactionRequest request) {
    return write(() -> {
      long rev = request.getRevision();
      List<Revision> unreachable;
      rw.writeLock().lock();
      try {
        if (rev <= store.compactMainRev()) {
          throw new KvException(KvError.COMPACTED);
        }
        if (rev > store.currentRev()) {
          throw new KvException(KvError.FUTURE_REVISION);
        }
        unreachable = store.compactIndex(rev);
      } catch (KvException e) {
        throw e;
      } catch (RuntimeException e) {
        broken = e;
        throw e;
      } finally {
        rw.writeLock().unlock();
      }
      // Readers go on while the map shrinks; only this writer could disturb it. An open
      // snapshot may still need the records: they go once it is closed.
      if (openSnapshots.get() > 0) {
        undroppedRevisions.addAll(unreachable);
      } else {
        store.dropRevisions(unreachable);
      }
      return CompactionResponse.newBuilder()
          .setHeader(ResponseHeader.newBuilder().setRevision(store.currentRev()))
          .build();
    });
  }

  public long currentRevision() {
    return store.currentRev();
  }

  /** The revision of the last compaction; 0 when the store was never compacted. */
  public long compactedRevision() {
    return Math.max(0, store.compactMainRev());
  }

  /**
   * The index of the last raft entry applied to this store; after a restore, replay the log
   * from the entry after it. It is saved in snapshots and otherwise untouched by the store.
   */
  public long consistentIndex() {
    return store.consistentIndex();
  }

  public void setConsistentIndex(long raftIndex) {
    store.setConsistentIndex(raftIndex);
  }

  /**
   * The events of revisions {@code fromRev..toRevInclusive} (the end clamped to the current
   * revision) on keys in {@code [key, rangeEnd)} (etcd's range encoding), in revision order,
   * stopping after the revision in which {@code maxEvents} is reached, so that a revision's
   * events are never split, or after {@value RevisionStore#MAX_SCANNED_REVISIONS} revisions, so
   * that a long catch-up does not hold writes back; continue from
   * {@link EventBatch#nextRevision()}. History from exactly the compacted revision holds that
   * revision's events, deletes included (as etcd 3.5 keeps them), but for the puts that the
   * same revision replaced. {@code prev_kv} is filled when asked for and still in history,
   * never for events at the compacted revision, whose previous revision is compacted: etcd
   * then sends the event without it.
   *
   * @throws KvException COMPACTED when {@code fromRev} is below the compacted revision
   */
  public EventBatch eventsSince(long fromRev, long toRevInclusive, ByteString key,
      ByteString rangeEnd, int maxEvents, boolean withPrevKv) {
    if (maxEvents <= 0) {
      throw new IllegalArgumentException("maxEvents must be positive: " + maxEvents);
    }
    return read(() -> store.events(fromRev, toRevInclusive, KeyRange.of(key, rangeEnd),
        maxEvents, withPrevKv));
  }

  /**
   * Maintenance.HashKV: a hash of the history up to {@code revision} (0 = current) over the
   * bytes etcd hashes, for comparing members.
   *
   * @throws KvException COMPACTED at or below the compacted revision, FUTURE_REVISION above
   *     the current one
   */
  public HashKvResult hashKv(long revision) {
    return read(() -> KvHasher.hash(store, revision));
  }

  /** The live keys attached to {@code leaseId}, sorted; what a revoke of it must delete. */
  public List<ByteString> keysWithLease(long leaseId) {
    return read(() -> store.leases.keys(leaseId));
  }

  /**
   * Writes the whole state: all history not compacted away, the compacted revision and the
   * consistent index, with a SHA-256 trailer. The consistent index is set by a call of its own
   * after each entry's writes, so take a snapshot meant for recovery on the apply thread,
   * between entries, where the two agree.
   */
  public void writeSnapshot(OutputStream out) throws IOException {
    try (StoreSnapshot snapshot = beginSnapshot()) {
      snapshot.writeTo(out);
    }
  }

  /**
   * The state as it is now, to be written out later on any thread while writes go on (see
   * {@link StoreSnapshot}); as with {@link #writeSnapshot}, take it between entries on the apply
   * thread. Compacted records stay in the map until it is closed.
   */
  public StoreSnapshot beginSnapshot() {
    return read(() -> {
      openSnapshots.incrementAndGet();
      return new StoreSnapshot(SnapshotFormat.Header.of(store), SnapshotFormat.WHOLE,
          store.index.allRevisionsUnordered(), this::readRecords, openSnapshots::decrementAndGet);
    });
  }

  /**
   * Like {@link #beginSnapshot}, but holding only the records of revisions after
   * {@code baseRevision} (the revision of an earlier snapshot): restored after that snapshot, it
   * gives the state of now. Its cost grows with the writes since the base, not with the store.
   * The store must not have been compacted since the base (see {@link #compactedRevision}):
   * compaction removes records the base holds, which a later section cannot take back.
   */
  public StoreSnapshot beginSnapshotSince(long baseRevision) {
    return read(() -> {
      if (baseRevision > store.currentRev()) {
        throw new IllegalArgumentException("snapshot based on revision " + baseRevision
            + ", after the current revision " + store.currentRev());
      }
      if (baseRevision < store.compactMainRev()) {
        throw new IllegalArgumentException("snapshot based on revision " + baseRevision
            + ", before the compacted revision " + store.compactMainRev());
      }
      openSnapshots.incrementAndGet();
      return new StoreSnapshot(SnapshotFormat.Header.of(store), baseRevision,
          store.index.revisionsAfter(baseRevision), this::readRecords,
          openSnapshots::decrementAndGet);
    });
  }

  /** A chunk of records for a snapshot; the read lock keeps emptied map parts open meanwhile. */
  private void readRecords(List<Revision> revisions, byte[][] into) {
    read(() -> {
      for (int i = 0; i < revisions.size(); i++) {
        into[i] = store.revisions.get(revisions.get(i));
      }
      return null;
    });
  }

  /**
   * etcd's dbSize: the most bytes of history held since the store was opened or last
   * defragmented. Like etcd's database file, it does not shrink on compaction, so it is the
   * figure to hold against a space quota.
   */
  public long sizeBytes() {
    return read(store.revisions::peakRecordBytes);
  }

  /** etcd's dbSizeInUse: the bytes of history held now. */
  public long sizeInUseBytes() {
    return read(store.revisions::recordBytes);
  }

  /**
   * Off-heap bytes reserved by the revision map, for memory metrics. Most of it is address
   * space that no entry has touched yet, not resident memory.
   */
  public long reservedOffHeapBytes() {
    return read(store.revisions::allocatedBytes);
  }

  /**
   * Maintenance.Defragment: the map reuses freed space by itself, so there is nothing to move;
   * this brings {@link #sizeBytes()} down to what is in use, as a defragmentation does in etcd.
   */
  public void defragment() {
    write(() -> {
      store.revisions.resetPeak();
      return null;
    });
  }

  @Override
  public void close() {
    writer.lock();
    try {
      rw.writeLock().lock();
      try {
        if (!closed) {
          closed = true;
          store.close();
        }
      } finally {
        rw.writeLock().unlock();
      }
    } finally {
      writer.unlock();
    }
  }

  private <T> T read(Supplier<T> body) {
    rw.readLock().lock();
    try {
      checkUsable();
      return body.get();
    } finally {
      rw.readLock().unlock();
    }
  }

  private <T> T write(Supplier<T> body) {
    writer.lock();
    try {
      checkUsable();
      dropUndroppedRevisions();
      closeEmptiedParts();
      return body.get();
    } finally {
      writer.unlock();
    }
  }

  /** Runs one write transaction under the write lock, then announces its revision. */
  private <T> T inWriteTxn(Function<WriteTxn, T> body) {
    WriteTxn txn;
    T result;
    rw.writeLock().lock();
    try {
      txn = new WriteTxn(store);
      try {
        result = body.apply(txn);
      } catch (KvException e) {
        txn.rollback();
        throw e;
      } catch (RuntimeException e) {
        broken = e;
        throw e;
      }
      txn.end();
    } finally {
      rw.writeLock().unlock();
    }
    RevisionListener l = listener;
    if (l != null && !txn.changes().isEmpty()) {
      l.onRevision(txn.beginRev() + 1, List.copyOf(txn.changes()));
    }
    return result;
  }

  /** Closes the parts of the revision map that compaction emptied; readers wait meanwhile. */
  private void closeEmptiedParts() {
    if (!store.revisions.hasEmptiedParts()) {
      return;
    }
    rw.writeLock().lock();
    try {
      store.revisions.closeEmptiedParts();
    } finally {
      rw.writeLock().unlock();
    }
  }

  /** Drops what compaction left for the snapshots that were open then, once none is. */
  private void dropUndroppedRevisions() {
    if (!undroppedRevisions.isEmpty() && openSnapshots.get() == 0) {
      store.dropRevisions(undroppedRevisions);
      undroppedRevisions = new ArrayList<>();
    }
  }

  private void checkUsable() {
    if (closed) {
      throw new IllegalStateException("mvcc store is closed");
    }
    RuntimeException cause = broken;
    if (cause != null) {
      throw new IllegalStateException("mvcc store failed during a write", cause);
    }
  }
}
