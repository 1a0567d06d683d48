package io.strata.server.apply;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.strata.api.serverpb.InternalRequest;
import io.strata.lease.LeaseException;
import io.strata.mvcc.KvException;
import io.strata.mvcc.MvccStore;
import io.strata.raft.proto.Entry;
import io.strata.raft.proto.EntryType;
import io.strata.raft.proto.Snapshot;
import io.strata.server.raftnode.RaftLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single thread that applies committed entries, in log order, to the state machine. Every
 * member runs the same entries through the same code, so nothing here may read a clock, draw a
 * random number or depend on iteration order of a hash structure.
 *
 * <p>Applying is idempotent with respect to the store's consistent index: an entry at or below
 * it was already reflected in the snapshot the store was restored from and is skipped, which is
 * what lets a restart replay the whole WAL tail without double-applying anything.
 */
public final class ApplyLoop implements RaftLoop.CommitSink, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ApplyLoop.class);

  private record Waiter(long index, Runnable action) {}

  private final StateMachine state;
  /** The state machine's current store; replaced when a snapshot is installed. Apply thread only. */
  private MvccStore store;
  private final long localMemberId;
  private final PendingRequests pending;
  private final long snapshotCountEntries;
  private final SnapshotSink snapshotSink;
  /** Committed entry batches, or a snapshot to install, in the order Raft produced them. */
  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final PriorityQueue<Waiter> waiters = new PriorityQueue<>((a, b) -> Long.compare(a.index(), b.index()));
  private final Thread thread;

  // Invariant: appliedIndex <= the raft commit index; it only grows.
  private volatile long appliedIndex;
  private long lastSnapshotIndex;
  private volatile boolean running = true;

  /** Receives a snapshot of the state machine taken on the apply thread. */
  public interface SnapshotSink {
    void snapshotTaken(long index, ByteString data);
  }

  public ApplyLoop(StateMachine state, long localMemberId, PendingRequests pending, long snapshotCountEntries, SnapshotSink snapshotSink) {
    this.state = state;
    this.store = state.store();
    this.localMemberId = localMemberId;
    this.pending = pending;
    this.snapshotCountEntries = snapshotCountEntries;
    this.snapshotSink = snapshotSink;
    this.appliedIndex = store.consistentIndex();
    this.lastSnapshotIndex = appliedIndex;
    this.thread = new Thread(this::run, "apply-loop");
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  @Override
  public void committed(List<Entry> entries) {
    queue.add(entries);
  }

  @Override
  public void installSnapshot(Snapshot snapshot) {
    queue.add(snapshot);
  }

  @Override
  public long appliedIndex() {
    return appliedIndex;
  }

  @Override
  public void whenApplied(long index, Runnable action) {
    synchronized (waiters) {
      if (appliedIndex < index) {
        waiters.add(new Waiter(index, action));
        return;
      }
    }
    action.run();
  }

  /** Entries committed but not yet applied: the measure of how far apply lags behind. */
  public int queuedBatches() {
    return queue.size();
  }

  private void run() {
    try {
      while (running) {
        Object item = queue.take();
        long applied;
        if (item instanceof Snapshot snapshot) {
          state.install(snapshot.getData());
          store = state.store();
          applied = snapshot.getMetadata().getIndex();
          lastSnapshotIndex = applied;
          log.info("installed snapshot at index {}", applied);
        } else {
          @SuppressWarnings("unchecked")
          List<Entry> batch = (List<Entry>) item;
          for (Entry entry : batch) {
            apply(entry);
          }
          applied = batch.get(batch.size() - 1).getIndex();
        }
        if (applied > appliedIndex) {
          appliedIndex = applied;
        }
        releaseWaiters();
        maybeSnapshot();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable t) {
      // A state machine that failed half-way through an entry cannot be trusted to go on;
      // the WAL still holds every entry, so a restart rebuilds it.
      log.error("apply loop failed; stopping", t);
      Runtime.getRuntime().halt(1);
    }
  }

  private void apply(Entry entry) {
    if (entry.getIndex() <= store.consistentIndex()) {
      return;
    }
    if (entry.getType() == EntryType.ENTRY_NORMAL && !entry.getData().isEmpty()) {
      applyRequest(entry);
    }
    store.setConsistentIndex(entry.getIndex());
  }

  private void applyRequest(Entry entry) {
    InternalRequest request;
    try {
      request = InternalRequest.parseFrom(entry.getData());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("committed entry " + entry.getIndex() + " is not a request", e);
    }
    Object result;
    try {
      result = state.apply(request);
    } catch (KvException | LeaseException e) {
      result = e;
    }
    if (request.getOriginMemberId() == localMemberId && request.getId() != 0) {
      pending.complete(request.getId(), result);
    }
  }

  private void releaseWaiters() {
    while (true) {
      Waiter w;
      synchronized (waiters) {
        w = waiters.peek();
        if (w == null || w.index() > appliedIndex) {
          return;
        }
        waiters.poll();
      }
      w.action().run();
    }
  }

  private void maybeSnapshot() {
    long applied = appliedIndex;
    if (snapshotCountEntries <= 0 || applied - lastSnapshotIndex < snapshotCountEntries) {
      return;
    }
    ByteString.Output out = ByteString.newOutput();
    try {
      StateSnapshot.write(store, state.lessor(), out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    lastSnapshotIndex = applied;
    snapshotSink.snapshotTaken(applied, out.toByteString());
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join(10_000);
  }
}
