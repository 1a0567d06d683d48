package io.strata.server.apply;

import com.google.protobuf.InvalidProtocolBufferException;
import io.strata.api.serverpb.InternalRequest;
import io.strata.lease.LeaseException;
import io.strata.mvcc.KvException;
import io.strata.api.serverpb.MemberChange;
import io.strata.raft.proto.ConfChange;
import io.strata.raft.proto.ConfChangeType;
import io.strata.raft.proto.Entry;
import io.strata.raft.proto.EntryType;
import io.strata.mvcc.MvccStore;
import io.strata.raft.proto.Snapshot;
import io.strata.server.cluster.ClusterMembers;
import io.strata.server.raftnode.EtcdServerException;
import io.strata.server.raftnode.RaftLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
  /** The last committed entry handed over; written by the raft thread only. */
  private volatile long queuedThrough;
  private long lastSnapshotIndex;
  private volatile boolean running = true;

  /** Receives the snapshots of the state machine the apply loop takes. */
  public interface SnapshotSink {
    /**
     * Called on the apply thread where a snapshot of the state after entry {@code index} is
     * taken, before any later entry is applied; returns what saves the snapshot's bytes, which
     * is called later, on the thread that writes them. With {@code baseIndex} > 0 the bytes
     * are only what follows those of the snapshot saved at that index.
     */
    RaftLoop.SnapshotSave snapshotStarted(long index, long baseIndex);
  }

  /**
   * A section of changes follows at most this many others before a snapshot is whole again, so
   * that a restore reads a bounded number of sections and files.
   */
  static final int maxChainSections = 32;

  /**
   * The last snapshot saved, which the next one may build on by holding only the changes since
   * it: its raft index, the store's revision and compacted revision then, and how many sections
   * it is made of.
   */
  private record ChainBase(long index, long revision, long compactedRevision, int sections) {}

  /** Queued when a snapshot is written, so that one that became due meanwhile starts. */
  private static final Object snapshotWritten = new Object();
  /**
   * The snapshot writer steps aside while applying lags by more than this many entries, a
   * fifth of what makes a member refuse writes (see YieldingOutputStream).
   */
  static final long snapshotYieldLagEntries = 1_000;

  /** Hands an accepted membership change to the Raft core and waits until it took effect. */
  public interface ConfChangeSink {
    void applyToRaft(ConfChange change) throws Exception;
  }

  private ConfChangeSink confChanges = change -> { };
  /** Set when a member was added: the next snapshot is taken at once (see RaftLoop#snapshotStarted). */
  private boolean snapshotNow;
  private boolean snapshotRequired;
  /**
   * Writes snapshots while entries go on being applied: a snapshot is as large as the store,
   * and writing it on the apply thread held every reply back for as long as it took.
   */
  private final ExecutorService snapshotWriter = Executors.newSingleThreadExecutor(runnable -> {
    Thread t = new Thread(runnable, "state-snapshot-writer");
    t.setDaemon(true);
    return t;
  });
  private volatile boolean snapshotWriting;
  /** Null when the next snapshot must be whole; set by the writer before it clears snapshotWriting. */
  private volatile ChainBase chainBase;
  /** Set while the apply thread waits for the writer, which must not step aside for it then. */
  private volatile boolean awaitingSnapshotWriter;
  // Only the apply thread touches it.
  private Future<?> snapshotInFlight = CompletableFuture.completedFuture(null);

  public ApplyLoop(StateMachine state, long localMemberId, PendingRequests pending, long snapshotCountEntries, SnapshotSink snapshotSink) {
    this.state = state;
    this.localMemberId = localMemberId;
    this.pending = pending;
    this.snapshotCountEntries = snapshotCountEntries;
    this.snapshotSink = snapshotSink;
    this.appliedIndex = state.store().consistentIndex();
    this.lastSnapshotIndex = appliedIndex;
    this.thread = new Thread(this::run, "apply-loop");
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  public void setConfChangeSink(ConfChangeSink sink) {
    this.confChanges = sink;
  }

  /**
   * Set before {@link #start} on a member that joined a running cluster and has no snapshot
   * yet: its log alone would miss the founding members, so it must begin with a snapshot.
   */
  public void requireSnapshotFirst() {
    this.snapshotRequired = true;
  }

  @Override
  public void committed(List<Entry> entries) {
    queuedThrough = entries.get(entries.size() - 1).getIndex();
    queue.add(entries);
  }

  /** Whether applying lags behind enough that the snapshot writer should step aside. */
  private boolean applyingLags() {
    return !awaitingSnapshotWriter && queuedThrough - appliedIndex > snapshotYieldLagEntries;
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
        if (item == snapshotWritten) {
          maybeSnapshot();
          continue;
        }
        long applied;
        if (snapshotRequired && !(item instanceof Snapshot)) {
          throw new IllegalStateException("this member joined a running cluster but was sent log entries before a "
              + "snapshot; the leader's log must be compacted for it to start (remove its data directory and retry)");
        }
        if (item instanceof Snapshot snapshot) {
          snapshotRequired = false;
          // The snapshot being written reads the store this one replaces.
          awaitSnapshotWritten();
          long installStartNanos = System.nanoTime();
          state.install(snapshot.getData());
          applied = snapshot.getMetadata().getIndex();
          lastSnapshotIndex = applied;
          chainBase = null;
          log.info("installed snapshot at index {}: took-ms={}", applied, (System.nanoTime() - installStartNanos) / 1_000_000);
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
      if (!running) {
        // Stopping: a membership change waiting on the raft thread that already stopped.
        return;
      }
      // A state machine that failed half-way through an entry cannot be trusted to go on;
      // the WAL still holds every entry, so a restart rebuilds it.
      log.error("apply loop failed; stopping", t);
      Runtime.getRuntime().halt(1);
    }
  }

  private void apply(Entry entry) {
    if (entry.getIndex() <= state.store().consistentIndex()) {
      return;
    }
    if (entry.getType() == EntryType.ENTRY_NORMAL && !entry.getData().isEmpty()) {
      applyRequest(entry);
    } else if (entry.getType() == EntryType.ENTRY_CONF_CHANGE) {
      applyConfChange(entry);
    }
    state.store().setConsistentIndex(entry.getIndex());
  }

  /**
   * Validates a membership change against the replicated membership and, if it holds, applies
   * it to the Raft core (waiting for it) and to the membership. A change that fails validation
   * is applied nowhere, so every member stays with the same membership; its proposer gets the
   * failure.
   */
  private void applyConfChange(Entry entry) {
    ConfChange cc;
    MemberChange change;
    try {
      cc = ConfChange.parseFrom(entry.getData());
      change = cc.getContext().isEmpty() ? MemberChange.getDefaultInstance() : MemberChange.parseFrom(cc.getContext());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("committed entry " + entry.getIndex() + " is not a conf change", e);
    }
    ClusterMembers members = state.members();
    Object result;
    Optional<EtcdServerException> invalid = members == null ? Optional.empty() : members.validate(cc, change);
    if (invalid.isPresent()) {
      result = invalid.get();
      log.info("refused membership change {} of member {} at index {}: {}", cc.getType(),
          Long.toHexString(cc.getNodeId()), entry.getIndex(), invalid.get().getMessage());
    } else {
      try {
        confChanges.applyToRaft(cc);
      } catch (Exception e) {
        throw new IllegalStateException("the raft core did not take membership change at index " + entry.getIndex(), e);
      }
      if (members != null) {
        members.apply(cc, change);
        result = members.members();
      } else {
        result = List.of();
      }
      boolean added = (cc.getType() == ConfChangeType.ADD_NODE || cc.getType() == ConfChangeType.ADD_LEARNER_NODE)
          && !change.getIsPromote();
      snapshotNow |= added;
      log.info("applied membership change {} of member {} at index {}", cc.getType(), Long.toHexString(cc.getNodeId()),
          entry.getIndex());
    }
    if (change.getOriginMemberId() == localMemberId && change.getRequestId() != 0) {
      pending.complete(change.getRequestId(), result);
    }
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
    boolean due = snapshotCountEntries > 0 && applied - lastSnapshotIndex >= snapshotCountEntries;
    if ((!due && !snapshotNow) || snapshotWriting) {
      return;
    }
    snapshotNow = false;
    // Only the changes since the last snapshot, unless a compaction since then removed records
    // that the earlier sections hold.
    ChainBase base = chainBase;
    MvccStore store = state.store();
    long compacted = store.compactedRevision();
    boolean changesOnly = base != null && base.sections() < maxChainSections
        && base.compactedRevision() == compacted && base.index() < applied;
    StateSnapshot.Capture capture;
    try {
      capture = StateSnapshot.captureSince(store, state.lessor(), state.members(),
          changesOnly ? base.revision() : -1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    lastSnapshotIndex = applied;
    RaftLoop.SnapshotSave save = snapshotSink.snapshotStarted(applied, changesOnly ? base.index() : 0);
    ChainBase next = new ChainBase(applied, capture.revision(), compacted, changesOnly ? base.sections() + 1 : 1);
    snapshotWriting = true;
    snapshotInFlight = snapshotWriter.submit(() -> write(capture, save, next));
  }

  private void write(StateSnapshot.Capture capture, RaftLoop.SnapshotSave save, ChainBase next) {
    try (capture) {
      boolean saved = save.save(out -> capture.writeTo(new YieldingOutputStream(out, this::applyingLags)));
      chainBase = saved ? next : null;
      if (saved) {
        log.info("wrote the snapshot at index {}: records={} sections={}", capture.index(), capture.records(),
            next.sections());
      }
    } catch (IOException | RuntimeException e) {
      if (!running) {
        // Stopping: the store closed under the writer.
        return;
      }
      log.error("writing a snapshot at index {} failed; stopping", capture.index(), e);
      Runtime.getRuntime().halt(1);
      return;
    }
    // Cleared before the apply thread hears of it, so that it can start the next one at once.
    snapshotWriting = false;
    queue.add(snapshotWritten);
  }

  private void awaitSnapshotWritten() throws InterruptedException {
    awaitingSnapshotWriter = true;
    try {
      snapshotInFlight.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("writing a snapshot failed", e.getCause());
    } finally {
      awaitingSnapshotWriter = false;
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join(10_000);
    snapshotWriter.shutdownNow();
    snapshotWriter.awaitTermination(10, TimeUnit.SECONDS);
  }
}
