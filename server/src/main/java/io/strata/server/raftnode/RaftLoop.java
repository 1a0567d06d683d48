package io.strata.server.raftnode;

import com.google.protobuf.ByteString;
import io.strata.raft.MemoryRaftStorage;
import io.strata.raft.PeerProgress;
import io.strata.raft.RaftNode;
import io.strata.raft.RaftStatus;
import io.strata.raft.RaftRole;
import io.strata.raft.ReadState;
import io.strata.raft.Ready;
import io.strata.raft.proto.ConfChange;
import io.strata.raft.proto.ConfState;
import io.strata.raft.proto.Entry;
import io.strata.raft.proto.EntryType;
import io.strata.raft.proto.Message;
import io.strata.raft.proto.MessageType;
import io.strata.raft.proto.Snapshot;
import io.strata.raft.proto.SnapshotMetadata;
import io.strata.raft.wal.SnapshotFiles;
import io.strata.raft.wal.Wal;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns the Raft core. It turns clock ticks, proposals, read requests and
 * peer messages into calls on {@link RaftNode}, and carries out each {@link Ready}: messages that
 * promise nothing about the disk go to peers at once, committed entries go to the apply loop, and
 * the entries and hard state go to the {@link LogWriter}, which appends and fsyncs them on its own
 * thread and then sends the messages that waited for them (acknowledgements and votes). The
 * loop does not wait for the disk: heartbeats and elections keep their timing through a slow
 * fsync, and a leader keeps replicating while its own write is under way.
 *
 * <p>Group commit falls out of the shape: while one fsync runs, proposals pile up in the inbox
 * and Readies in the writer's queue; the next fsync covers all of them. Reads are batched the
 * same way: one ReadIndex round serves every read that arrived while the previous round was in
 * flight.
 */
public final class RaftLoop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RaftLoop.class);

  /** Inbox capacity; a full inbox turns into "too many requests" rather than unbounded memory. */
  static final int inboxCapacityItems = 65_536;
  /** Proposals handed to the core in one call; bounds the size of one WAL batch. */
  static final int proposalBatchMaxItems = 4_096;
  /** Heartbeat ticks after which an unanswered ReadIndex round is sent again. */
  static final int readRoundRetryTicks = 5;
  /**
   * A follower whose leader's process is gone campaigns after half a tick plus a random delay of
   * up to this many ticks. The half tick lets the other followers notice too (until they do, they
   * ignore vote requests, as followers of a live leader); the spread makes one follower's vote
   * requests usually reach the others before they campaign themselves, which would split the
   * vote. Both together stay far below an election timeout.
   */
  static final int goneLeaderCampaignSpreadTicks = 2;

  /** What the loop needs from the apply side. */
  public interface CommitSink {
    /** Called on the raft thread, in log order, after the entries are durable. */
    void committed(List<Entry> entries);

    /** Called on the raft thread, in log order, when the leader sent a snapshot to install. */
    void installSnapshot(Snapshot snapshot);

    /** The applied index; reads wait for it to pass their read index. */
    long appliedIndex();

    /** Runs {@code action} (on the apply thread) once the applied index reaches {@code index}. */
    void whenApplied(long index, Runnable action);
  }

  /** Told, on the raft thread, when this member becomes leader or stops being one. */
  public interface LeadershipListener {
    void leading(boolean leader);

    /** Told, on the raft thread, whenever the known leader changes (0 = none). */
    default void leaderChanged(long previous, long current) {}
  }

  /** Sends messages to peers; a single-member cluster has none. */
  public interface PeerSender {
    void send(List<Message> messages);
  }

  private sealed interface Input permits Proposal, ReadRequest, PeerMessage, Task, WritesDone {}

  private record Proposal(ByteString data, CompletableFuture<Void> accepted) implements Input {}

  private record ReadRequest(CompletableFuture<Void> ready) implements Input {}

  private record PeerMessage(Message message) implements Input {}

  private record Task(Consumer<RaftNode> action) implements Input {}

  /** Wakes the loop when the writer finished writes; they wait in {@link #persisted}. */
  private enum WritesDone implements Input { SIGNAL }

  private final RaftNode node;
  private final MemoryRaftStorage storage;
  private final Wal wal;
  private final SnapshotFiles snapshots;
  private final CommitSink commits;
  private final PeerSender peers;
  private final long tickIntervalNanos;
  /** A ReadIndex round unanswered for this long is started again. */
  private final long readRoundRetryNanos;
  private final LeadershipListener leadership;
  private final long localId;
  private final BlockingQueue<Input> inbox = new ArrayBlockingQueue<>(inboxCapacityItems);
  private final Thread thread;
  private final LogWriter writer;
  /** Writes the snapshot files the leader sends, one at a time and in order, beside the log writer. */
  private final ExecutorService snapshotSaver = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "raft-snapshot-saver");
    t.setDaemon(true);
    return t;
  });
  /** Readies whose writes are durable, in order; filled by the writer, drained by this thread. */
  private final ConcurrentLinkedQueue<Ready> persisted = new ConcurrentLinkedQueue<>();

  private final List<ReadRequest> readsWaiting = new ArrayList<>();
  private final Map<ByteString, List<ReadRequest>> readsInFlight = new HashMap<>();
  private long readRounds;
  private long readRoundStartedNanos;
  /** When to campaign because the leader's process is gone; 0 for not. Raft thread only. */
  private long goneLeaderCampaignAtNanos;

  /** The configuration as of the last applied change; snapshots record it. Raft thread only. */
  private ConfState confState;

  private volatile boolean running = true;
  private volatile long leaderId;
  private volatile long term;
  private volatile long commitIndex;
  private volatile RaftRole role = RaftRole.FOLLOWER;

  public RaftLoop(
      RaftNode node,
      MemoryRaftStorage storage,
      Wal wal,
      SnapshotFiles snapshots,
      CommitSink commits,
      PeerSender peers,
      ConfState confState,
      long tickIntervalMillis,
      LeadershipListener leadership) {
    this(node, storage, wal, snapshots, commits, peers, confState, tickIntervalMillis, leadership, () -> {});
  }

  /** As above; {@code beforeSync} runs on the log writer's thread before each fsync of the log. */
  RaftLoop(
      RaftNode node,
      MemoryRaftStorage storage,
      Wal wal,
      SnapshotFiles snapshots,
      CommitSink commits,
      PeerSender peers,
      ConfState confState,
      long tickIntervalMillis,
      LeadershipListener leadership,
      Runnable beforeSync) {
    this.confState = confState;
    this.leadership = leadership;
    this.localId = node.status().id();
    this.node = node;
    this.storage = storage;
    this.wal = wal;
    this.snapshots = snapshots;
    this.commits = commits;
    this.peers = peers;
    this.tickIntervalNanos = TimeUnit.MILLISECONDS.toNanos(tickIntervalMillis);
    this.readRoundRetryNanos = TimeUnit.MILLISECONDS.toNanos(tickIntervalMillis) * readRoundRetryTicks;
    this.thread = new Thread(this::run, "raft-loop");
    this.thread.setDaemon(true);
    this.writer = new LogWriter(wal, peers, done -> {
      persisted.addAll(done);
      // A full inbox means the loop is awake and busy; it drains the finished writes every turn.
      inbox.offer(WritesDone.SIGNAL);
    }, beforeSync);
  }

  public void start() {
    writer.start();
    thread.start();
  }

  /**
   * Queues an entry for proposal. The future completes when the core has taken it (not when it
   * commits; the apply side reports that) and fails when this member cannot propose.
   */
  public CompletableFuture<Void> propose(ByteString data) {
    CompletableFuture<Void> accepted = new CompletableFuture<>();
    offer(new Proposal(data, accepted), accepted);
    return accepted;
  }

  /** Completes once a read at this moment would be linearizable on this member. */
  public CompletableFuture<Void> linearizableBarrier() {
    CompletableFuture<Void> ready = new CompletableFuture<>();
    offer(new ReadRequest(ready), ready);
    return ready;
  }

  public void receive(Message message) {
    if (!inbox.offer(new PeerMessage(message))) {
      log.warn("dropped a peer message: raft inbox is full");
    }
  }

  /** Runs an action on the raft thread, with the core in hand. */
  /**
   * The transport found {@code peer}'s process gone (its connections closed, a new one refused).
   * If it led this member, an election starts after a short random delay instead of after the
   * election timeout.
   */
  public void peerGone(long peer) {
    submit(n -> {
      if (n.reportPeerGone(peer)) {
        long delayNanos = tickIntervalNanos / 2
            + ThreadLocalRandom.current().nextLong(goneLeaderCampaignSpreadTicks * tickIntervalNanos);
        goneLeaderCampaignAtNanos = (System.nanoTime() + delayNanos) | 1;
        log.info("the leader {} is gone (its peer connections closed and a new one was refused); campaigning in "
            + "{} ms unless a leader is heard from", Long.toHexString(peer), delayNanos / 1_000_000);
      }
    });
  }

  public CompletableFuture<Void> submit(Consumer<RaftNode> action) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    offer(new Task(n -> {
      try {
        action.accept(n);
        done.complete(null);
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
      }
    }), done);
    return done;
  }

  /** Saves the bytes of a snapshot the apply loop took; see {@link #snapshotStarted}. */
  @FunctionalInterface
  public interface SnapshotSave {
    /**
     * Streams what {@code data} writes into the snapshot file, then installs it; on the caller's
     * thread. Returns false when the snapshot was not saved (it was of no use, or the member is
     * stopping, or the snapshot it builds on is gone): the next one is then to be whole.
     */
    boolean save(SnapshotFiles.DataWriter data) throws IOException;
  }

  /**
   * Marks where the apply loop takes a snapshot, after entry {@code index}: remembers the
   * membership and the entry's term at that point (membership changes after it reach the core
   * later, in order, so a task queued now sees exactly the changes up to it). The returned save
   * writes the snapshot file on the caller's thread, then installs the snapshot in the log's
   * storage and lets the log be compacted behind it. With {@code baseIndex} > 0 the bytes are
   * what follows the data of the snapshot saved at that index (see {@link SnapshotFiles}).
   */
  public SnapshotSave snapshotStarted(long index, long baseIndex, long keepEntriesBehind) {
    CompletableFuture<SnapshotMetadata> at = new CompletableFuture<>();
    submit(n -> {
      // The applied index is never past what this member holds durably (the core hands out
      // only such entries), so the storage holds the entry, unless a newer snapshot from the
      // leader replaced the log meanwhile; this one is then of no use.
      if (index <= storage.snapshot().getMetadata().getIndex()) {
        at.complete(null);
      } else {
        at.complete(SnapshotMetadata.newBuilder().setIndex(index).setTerm(storage.term(index))
            .setConfState(confState).build());
      }
    }).whenComplete((done, failure) -> {
      if (failure != null) {
        at.completeExceptionally(failure);
      }
    });
    return data -> {
      SnapshotMetadata metadata;
      try {
        metadata = at.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted before saving the snapshot at index " + index, e);
      } catch (ExecutionException e) {
        // Stopping, or an inbox too full to take the task: a later snapshot will do.
        log.warn("skipped the snapshot at index {}: {}", index, e.getCause().toString());
        return false;
      }
      if (metadata == null) {
        log.info("dropped the snapshot at index {}: the log already starts from a newer one", index);
        return false;
      }
      Snapshot saved;
      try {
        saved = snapshots.save(metadata, baseIndex, data);
      } catch (NoSuchFileException e) {
        log.warn("skipped the snapshot at index {}: {}", index, e.getReason());
        return false;
      }
      submit(n -> snapshotSaved(saved, keepEntriesBehind));
      return true;
    };
  }

  /** Installs an own snapshot whose file is durable, and compacts the log behind it. */
  private void snapshotSaved(Snapshot saved, long keepEntriesBehind) {
    long index = saved.getMetadata().getIndex();
    long newest = storage.snapshot().getMetadata().getIndex();
    if (index <= newest) {
      log.info("dropped the snapshot at index {}: the log already starts from a snapshot at {}", index, newest);
      return;
    }
    storage.createSnapshot(index, saved.getMetadata().getConfState(), saved.getData());
    // Compacting at least the first entry makes a member that joins with an empty log
    // start from this snapshot: the log alone does not describe the original members.
    long compactTo = Math.max(1, index - keepEntriesBehind);
    boolean compact = compactTo >= storage.firstIndex();
    if (compact) {
      storage.compact(compactTo);
    }
    // Recovery trusts only snapshots with a marker in the WAL; the file is durable already.
    writer.submit(w -> {
      w.saveSnapshotMarker(index, saved.getMetadata().getTerm());
      w.sync();
      if (compact) {
        w.releaseBefore(compactTo);
      }
      log.info("saved snapshot at index {}", index);
    });
  }

  /**
   * Proposes a membership change. A follower hands it to the leader, as it does with other
   * proposals; the caller learns the outcome when the entry is applied.
   */
  public CompletableFuture<Void> proposeConfChange(ConfChange change) {
    CompletableFuture<Void> accepted = new CompletableFuture<>();
    offer(new Task(n -> {
      if (n.proposeConfChange(change)) {
        accepted.complete(null);
      } else if (leaderId != 0 && leaderId != localId) {
        peers.send(List.of(Message.newBuilder().setType(MessageType.MSG_PROP).setTo(leaderId).setFrom(localId)
            .addEntries(Entry.newBuilder().setType(EntryType.ENTRY_CONF_CHANGE).setData(change.toByteString()))
            .build()));
        accepted.complete(null);
      } else if (leaderId == 0) {
        accepted.completeExceptionally(EtcdServerException.noLeader());
      } else {
        // The leader refuses a change while an earlier one is not applied; etcd drops such a
        // proposal and its caller times out, this caller learns it at once.
        accepted.completeExceptionally(EtcdServerException.timedOut());
      }
    }), accepted);
    return accepted;
  }

  /**
   * Applies a committed membership change to the core, on the raft thread, and remembers the
   * resulting configuration for the snapshots taken after it.
   */
  public CompletableFuture<ConfState> applyConfChange(ConfChange change) {
    CompletableFuture<ConfState> done = new CompletableFuture<>();
    offer(new Task(n -> {
      try {
        confState = n.applyConfChange(change);
        done.complete(confState);
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
      }
    }), done);
    return done;
  }

  /** The core's status, read on the raft thread (progress is filled in on the leader only). */
  public CompletableFuture<RaftStatus> status() {
    CompletableFuture<RaftStatus> done = new CompletableFuture<>();
    offer(new Task(n -> done.complete(n.status())), done);
    return done;
  }

  /** Asks the core to hand leadership to {@code transferee}; see {@link RaftNode#transferLeadership}. */
  public CompletableFuture<Void> transferLeadership(long transferee) {
    return submit(n -> n.transferLeadership(transferee));
  }

  /**
   * If this member leads a cluster of several voters, hands leadership to the most up-to-date
   * active follower and waits (bounded) until it has taken over, as etcd does on a graceful
   * stop: the cluster then never waits an election timeout for a member that left on purpose.
   */
  public void transferLeadershipBeforeStop(long timeoutMillis) {
    if (!isLeader()) {
      return;
    }
    CompletableFuture<Long> chosen = new CompletableFuture<>();
    submit(n -> {
      RaftStatus status = n.status();
      long best = 0;
      long bestMatch = -1;
      for (Map.Entry<Long, PeerProgress> e : status.progress().entrySet()) {
        PeerProgress p = e.getValue();
        if (e.getKey() != localId && !p.learner() && p.recentActive() && p.match() > bestMatch) {
          best = e.getKey();
          bestMatch = p.match();
        }
      }
      if (best != 0) {
        n.transferLeadership(best);
      }
      chosen.complete(best);
    });
    try {
      long transferee = chosen.get(timeoutMillis, TimeUnit.MILLISECONDS);
      if (transferee == 0) {
        return;
      }
      log.info("transferring leadership to {} before stopping", Long.toHexString(transferee));
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
      while (leaderId != transferee && System.nanoTime() - deadline < 0) {
        Thread.sleep(10);
      }
    } catch (Exception e) {
      log.warn("leadership transfer before stopping did not finish: {}", e.toString());
    }
  }

  public long leaderId() {
    return leaderId;
  }

  public long term() {
    return term;
  }

  public long commitIndex() {
    return commitIndex;
  }

  public boolean isLeader() {
    return role == RaftRole.LEADER;
  }

  private void offer(Input input, CompletableFuture<?> future) {
    if (!running) {
      future.completeExceptionally(EtcdServerException.stopped());
    } else if (!inbox.offer(input)) {
      future.completeExceptionally(EtcdServerException.tooManyRequests());
    }
  }

  private void run() {
    long nextTickNanos = System.nanoTime() + tickIntervalNanos;
    List<Input> drained = new ArrayList<>();
    List<Proposal> proposals = new ArrayList<>();
    try {
      while (running) {
        long wakeNanos = goneLeaderCampaignAtNanos != 0 && goneLeaderCampaignAtNanos - nextTickNanos < 0
            ? goneLeaderCampaignAtNanos : nextTickNanos;
        long waitNanos = wakeNanos - System.nanoTime();
        Input first = waitNanos > 0 ? inbox.poll(waitNanos, TimeUnit.NANOSECONDS) : inbox.poll();
        if (first != null) {
          drained.add(first);
          inbox.drainTo(drained, proposalBatchMaxItems);
        }
        applyPersisted();
        for (Input input : drained) {
          if (input instanceof Proposal p) {
            proposals.add(p);
          } else if (input instanceof ReadRequest r) {
            readsWaiting.add(r);
          } else if (input instanceof PeerMessage m) {
            node.step(m.message());
          } else if (input instanceof Task t) {
            t.action().accept(node);
          }
        }
        drained.clear();
        if (!proposals.isEmpty()) {
          proposeBatch(proposals);
          proposals.clear();
        }
        long now = System.nanoTime();
        if (!readsInFlight.isEmpty() && now - readRoundStartedNanos > readRoundRetryNanos) {
          retryReadRounds();
        }
        if (!readsWaiting.isEmpty() && readsInFlight.isEmpty() && leaderId != 0) {
          startReadRound();
        }
        if (now - nextTickNanos >= 0) {
          node.tick();
          // Ticks are not caught up after a stall: a burst of ticks would fire elections at once.
          nextTickNanos = now + tickIntervalNanos;
        }
        if (goneLeaderCampaignAtNanos != 0 && now - goneLeaderCampaignAtNanos >= 0) {
          goneLeaderCampaignAtNanos = 0;
          node.campaignAfterLeaderGone();
        }
        while (node.hasReady()) {
          handle(node.ready());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable t) {
      // Nothing acknowledged depends on this thread surviving a failed fsync; stopping the
      // process is the only safe answer, as etcd does.
      log.error("raft loop failed; stopping", t);
      Runtime.getRuntime().halt(1);
    } finally {
      failEverythingQueued();
    }
  }

  private void proposeBatch(List<Proposal> proposals) {
    List<ByteString> data = new ArrayList<>(proposals.size());
    for (Proposal p : proposals) {
      data.add(p.data());
    }
    boolean taken = node.propose(data);
    if (!taken && leaderId != 0 && leaderId != localId) {
      // The core does not forward proposals; a follower hands them to the leader itself. The
      // caller still completes only when its entry is applied here, so a proposal lost with a
      // failing leader ends as a timeout, never as a false success.
      Message.Builder forward = Message.newBuilder().setType(MessageType.MSG_PROP).setTo(leaderId).setFrom(localId);
      for (ByteString d : data) {
        forward.addEntries(Entry.newBuilder().setData(d));
      }
      peers.send(List.of(forward.build()));
      taken = true;
    }
    for (Proposal p : proposals) {
      if (taken) {
        p.accepted().complete(null);
      } else {
        p.accepted().completeExceptionally(leaderId == 0 ? EtcdServerException.noLeader() : EtcdServerException.notLeader());
      }
    }
  }

  /**
   * Puts reads whose ReadIndex round may never be answered (sent while there was no leader, or
   * to a leader that has since changed, or lost on the way) back in line for a new round.
   */
  private void retryReadRounds() {
    for (List<ReadRequest> batch : readsInFlight.values()) {
      readsWaiting.addAll(batch);
    }
    readsInFlight.clear();
  }

  private void startReadRound() {
    readRoundStartedNanos = System.nanoTime();
    ByteString ctx = ByteString.copyFromUtf8(Long.toString(++readRounds));
    readsInFlight.put(ctx, new ArrayList<>(readsWaiting));
    readsWaiting.clear();
    node.readIndex(ctx);
  }

  private void handle(Ready rd) throws Exception {
    if (rd.softState() != null) {
      long previousLeader = leaderId;
      boolean wasLeader = role == RaftRole.LEADER;
      leaderId = rd.softState().leader();
      role = rd.softState().role();
      if (wasLeader != (role == RaftRole.LEADER)) {
        leadership.leading(role == RaftRole.LEADER);
      }
      if (previousLeader != leaderId) {
        log.info("raft leader changed: {} -> {}", Long.toHexString(previousLeader), Long.toHexString(leaderId));
        retryReadRounds();
        leadership.leaderChanged(previousLeader, leaderId);
      }
    }
    if (rd.hardState() != null) {
      term = rd.hardState().getTerm();
      commitIndex = rd.hardState().getCommit();
    }
    if (rd.snapshot() != null) {
      handleWithSnapshot(rd);
      return;
    }
    List<Message> now = new ArrayList<>(rd.messages().size());
    List<Message> heldBack = new ArrayList<>();
    for (Message m : rd.messages()) {
      (RaftNode.waitsForPersistence(m.getType()) ? heldBack : now).add(m);
    }
    if (!now.isEmpty()) {
      peers.send(now);
    }
    answerReads(rd);
    if (!rd.committedEntries().isEmpty()) {
      commits.committed(rd.committedEntries());
    }
    node.accept(rd);
    if (rd.hardState() != null || !rd.entries().isEmpty() || !heldBack.isEmpty()) {
      // Even a Ready with nothing to write goes through the writer if it holds messages back:
      // an acknowledgement may be about entries an earlier write is still writing.
      writer.append(rd, heldBack);
    }
    if (!readsWaiting.isEmpty() && readsInFlight.isEmpty() && leaderId != 0) {
      startReadRound();
    }
  }

  /**
   * A snapshot from the leader replaces the log and the state machine: it is written after
   * every earlier write, waiting for them, and installed before anything after it is applied.
   * Rare enough that the loop may wait for the disk here.
   */
  private void handleWithSnapshot(Ready rd) throws Exception {
    // From here on the saved file's mapping stands for the snapshot, and the received copy on
    // the heap can go: the state machine reads its records in place.
    Snapshot snap = snapshotSaver.submit(() -> snapshots.save(rd.snapshot())).get();
    writer.submit(w -> {
      w.saveSnapshotMarker(snap.getMetadata().getIndex(), snap.getMetadata().getTerm());
      w.append(rd.hardState(), rd.entries());
      w.sync();
    }).get();
    applyPersisted();
    storage.applySnapshot(snap);
    if (rd.hardState() != null) {
      storage.setHardState(rd.hardState());
    }
    storage.append(rd.entries());
    if (!rd.messages().isEmpty()) {
      peers.send(rd.messages());
    }
    answerReads(rd);
    if (snap.getMetadata().getIndex() > 0) {
      confState = snap.getMetadata().getConfState();
      commits.installSnapshot(snap);
    }
    if (!rd.committedEntries().isEmpty()) {
      commits.committed(rd.committedEntries());
    }
    node.advance(rd);
  }

  /** Tells the storage and the core about writes the writer finished. */
  private void applyPersisted() {
    Ready rd;
    while ((rd = persisted.poll()) != null) {
      if (rd.hardState() != null) {
        storage.setHardState(rd.hardState());
      }
      storage.append(rd.entries());
      node.persisted(rd);
    }
  }

  private void answerReads(Ready rd) {
    for (ReadState rs : rd.readStates()) {
      List<ReadRequest> batch = readsInFlight.remove(rs.requestContext());
      if (batch != null) {
        commits.whenApplied(rs.index(), () -> batch.forEach(r -> r.ready().complete(null)));
      }
    }
  }

  private void failReadsInFlight() {
    readsInFlight.values().forEach(b -> b.forEach(r -> r.ready().completeExceptionally(EtcdServerException.leaderChanged())));
    readsInFlight.clear();
  }

  private void failEverythingQueued() {
    failReadsInFlight();
    readsWaiting.forEach(r -> r.ready().completeExceptionally(EtcdServerException.stopped()));
    readsWaiting.clear();
    Input input;
    while ((input = inbox.poll()) != null) {
      if (input instanceof Proposal p) {
        p.accepted().completeExceptionally(EtcdServerException.stopped());
      } else if (input instanceof ReadRequest r) {
        r.ready().completeExceptionally(EtcdServerException.stopped());
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(10_000);
    snapshotSaver.shutdown();
    snapshotSaver.awaitTermination(30, TimeUnit.SECONDS);
    writer.close();
  }
}
