package io.strata.raft.sim;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.strata.raft.MemoryRaftStorage;
import io.strata.raft.RaftConfig;
import io.strata.raft.RaftNode;
import io.strata.raft.RaftRole;
import io.strata.raft.RaftStatus;
import io.strata.raft.Ready;
import io.strata.raft.proto.ConfChange;
import io.strata.raft.proto.ConfChangeType;
import io.strata.raft.proto.ConfState;
import io.strata.raft.proto.Entry;
import io.strata.raft.proto.EntryType;
import io.strata.raft.proto.Message;
import io.strata.raft.proto.Snapshot;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One simulated server: the real {@link RaftNode}, its storage and disk, and a state machine that
 * folds applied entries into a digest and tracks the membership as of the last applied change.
 * It handles Readies exactly as the contract says: persist, then send, then apply, then advance.
 * A member with asynchronous writes (as the server has) accepts each Ready at once, sends what
 * need not wait, and finishes its writes in order some ticks later; a crash loses those not
 * finished.
 */
final class SimMember {
  /** Told of every conf change a member applies, so that the cluster can start or stop members. */
  interface ConfChangeListener {
    void applied(SimMember member, Entry entry, ConfChange change, ConfState after);
  }

  final long id;
  private final RaftConfig baseConfig;
  private final Random random;
  private final SafetyChecker checker;
  private final ConfChangeListener listener;
  // A member that joins a running cluster starts with no membership: the log alone does not name
  // the founding members, so its first state must come from a snapshot (as the server requires).
  private final boolean joined;
  final SimDisk disk;
  MemoryRaftStorage storage;
  RaftNode node;
  boolean up = true;
  RaftRole role = RaftRole.FOLLOWER;
  // The state machine: a digest of every applied entry, the index it reflects, and the membership
  // as of the last conf change applied (or the snapshot installed).
  long digest;
  long appliedIndex;
  ConfState confState;
  private boolean awaitingFirstSnapshot;
  private final boolean asyncWrites;
  private final int maxWriteDelayTicks;
  private final int maxSlowWriteDelayTicks;
  // How likely one write is to be slow (a stalled fsync); 0 once the disks are healed.
  double slowWriteChance;
  // Writes of accepted Readies not finished yet, oldest first, with the messages they hold back.
  private final ArrayDeque<PendingWrite> writes = new ArrayDeque<>();
  private long lastWriteDueTick;
  // Readies accepted while an earlier write was still under way.
  int overlappedWrites;

  private record PendingWrite(Ready ready, List<Message> heldBack, long dueTick) {}

  SimMember(long id, RaftConfig config, Snapshot bootstrap, boolean joined, Random random, SafetyChecker checker,
            ConfChangeListener listener, boolean asyncWrites, int maxWriteDelayTicks, int maxSlowWriteDelayTicks,
            double slowWriteChance) {
    this.id = id;
    this.asyncWrites = asyncWrites;
    this.maxWriteDelayTicks = maxWriteDelayTicks;
    this.maxSlowWriteDelayTicks = maxSlowWriteDelayTicks;
    this.slowWriteChance = slowWriteChance;
    this.baseConfig = config;
    this.random = random;
    this.checker = checker;
    this.listener = listener;
    this.joined = joined;
    this.disk = new SimDisk(bootstrap);
    start();
  }

  private void start() {
    storage = disk.recover();
    Snapshot snap = storage.snapshot();
    appliedIndex = snap.getMetadata().getIndex();
    confState = snap.getMetadata().getConfState();
    awaitingFirstSnapshot = joined && appliedIndex == 0;
    digest = snap.getData().isEmpty() ? 0 : snap.getData().asReadOnlyByteBuffer().getLong();
    RaftConfig c = baseConfig;
    RaftConfig config = new RaftConfig(c.id(), c.electionTicks(), c.heartbeatTicks(), c.maxSizePerMsgBytes(),
        c.maxInflightMsgs(), c.preVote(), c.checkQuorum(), appliedIndex, c.maxInflightBytes());
    node = new RaftNode(config, storage, new Random(random.nextLong()));
    role = RaftRole.FOLLOWER;
    up = true;
  }

  void crash() {
    writes.clear();
    disk.crash();
    up = false;
    node = null;
    storage = null;
  }

  void restart() {
    start();
  }

  /** Whether this member's log (with the writes under way) holds a conf change it has not applied yet. */
  boolean hasUnappliedConfChange() {
    for (long i = Math.max(appliedIndex + 1, storage.firstIndex()); i <= storage.lastIndex(); i++) {
      if (storage.entries(i, i + 1, Long.MAX_VALUE).get(0).getType() == EntryType.ENTRY_CONF_CHANGE) {
        return true;
      }
    }
    for (PendingWrite w : writes) {
      for (Entry e : w.ready().entries()) {
        if (e.getIndex() > appliedIndex && e.getType() == EntryType.ENTRY_CONF_CHANGE) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Handles one Ready, if there is one; returns the messages to send (null if none). With
   * asynchronous writes, the Ready's writes and the messages that wait for them are queued for
   * {@link #finishWrites}.
   */
  List<Message> processReady(long now) {
    if (!node.hasReady()) {
      return null;
    }
    Ready rd = node.ready();
    if (!asyncWrites || rd.snapshot() != null) {
      // A snapshot from the leader replaces the log: the server, too, finishes earlier writes first.
      List<Message> out = finishWrites(Long.MAX_VALUE);
      out.addAll(processSynchronously(rd));
      return out;
    }
    if (!writes.isEmpty()) {
      overlappedWrites++;
    }
    observeRoleAndStatus(rd);
    for (Entry e : rd.committedEntries()) {
      apply(e);
    }
    List<Message> sendNow = new ArrayList<>();
    List<Message> heldBack = new ArrayList<>();
    for (Message m : rd.messages()) {
      (RaftNode.waitsForPersistence(m.getType()) ? heldBack : sendNow).add(m);
    }
    node.accept(rd);
    checkCoreMembership();
    int delay = random.nextDouble() < slowWriteChance
        ? random.nextInt(maxSlowWriteDelayTicks + 1) : random.nextInt(maxWriteDelayTicks + 1);
    lastWriteDueTick = Math.max(lastWriteDueTick, now + delay);
    writes.add(new PendingWrite(rd, heldBack, lastWriteDueTick));
    return sendNow;
  }

  /** Finishes, in order, the writes due by {@code now}; returns the messages they held back. */
  List<Message> finishWrites(long now) {
    List<Message> out = new ArrayList<>();
    while (!writes.isEmpty() && writes.peekFirst().dueTick() <= now) {
      PendingWrite w = writes.pollFirst();
      persist(w.ready());
      node.persisted(w.ready());
      out.addAll(w.heldBack());
    }
    return out;
  }

  private List<Message> processSynchronously(Ready rd) {
    persist(rd);
    observeRoleAndStatus(rd);
    if (rd.snapshot() != null) {
      long index = rd.snapshot().getMetadata().getIndex();
      digest = rd.snapshot().getData().asReadOnlyByteBuffer().getLong();
      appliedIndex = index;
      confState = rd.snapshot().getMetadata().getConfState();
      awaitingFirstSnapshot = false;
      checker.onSnapshotInstalled(this, index, digest, confState);
    }
    for (Entry e : rd.committedEntries()) {
      apply(e);
    }
    List<Message> out = new ArrayList<>(rd.messages());
    node.advance(rd);
    checkCoreMembership();
    return out;
  }

  private void persist(Ready rd) {
    if (rd.snapshot() != null) {
      storage.applySnapshot(rd.snapshot());
      disk.writeSnapshot(rd.snapshot());
    }
    if (rd.hardState() != null) {
      storage.setHardState(rd.hardState());
      disk.writeHardState(rd.hardState(), rd.mustSync());
    }
    storage.append(rd.entries());
    disk.writeEntries(rd.entries());
    checker.onPersisted(this, rd.entries());
  }

  private void observeRoleAndStatus(Ready rd) {
    if (rd.softState() != null) {
      role = rd.softState().role();
    }
    RaftStatus status = node.status();
    checker.onStatus(this, status);
    if (rd.softState() != null && rd.softState().role() == RaftRole.LEADER) {
      checker.onBecameLeader(this, status.term());
    }
  }

  private void checkCoreMembership() {
    ConfState coreView = node.status().confState();
    if (!coreView.equals(confState)) {
      throw new AssertionError(String.format("member %d: the core's membership %s differs from the applied one %s "
          + "at applied index %d", id, SafetyChecker.describe(coreView), SafetyChecker.describe(confState),
          appliedIndex));
    }
  }

  private void apply(Entry e) {
    if (e.getIndex() != appliedIndex + 1) {
      throw new AssertionError("member " + id + " applies index " + e.getIndex() + " after " + appliedIndex);
    }
    if (awaitingFirstSnapshot) {
      throw new AssertionError("member " + id + " joined with an empty log but was sent entry " + e.getIndex()
          + " before any snapshot, so it cannot know the founding members");
    }
    digest = digest * 1_000_003 + e.getTerm() * 31 + e.getData().hashCode() + e.getType().getNumber();
    appliedIndex = e.getIndex();
    checker.onApplied(this, e, digest);
    if (e.getType() == EntryType.ENTRY_CONF_CHANGE) {
      applyConfChange(e);
    }
  }

  private void applyConfChange(Entry e) {
    ConfChange cc;
    try {
      cc = ConfChange.parseFrom(e.getData());
    } catch (InvalidProtocolBufferException ex) {
      throw new AssertionError(ex);
    }
    ConfState before = confState;
    ConfState expected = ConfStateModel.apply(before, cc);
    ConfState after = node.applyConfChange(cc);
    if (!after.equals(expected)) {
      throw new AssertionError(String.format("member %d: applying %s %d at index %d to %s gave %s, expected %s",
          id, cc.getType(), cc.getNodeId(), e.getIndex(), SafetyChecker.describe(before),
          SafetyChecker.describe(after), SafetyChecker.describe(expected)));
    }
    confState = after;
    checker.onConfChangeApplied(this, e, cc, after);
    listener.applied(this, e, cc, after);
    boolean added = cc.getType() != ConfChangeType.REMOVE_NODE && !ConfStateModel.contains(before, cc.getNodeId());
    if (added) {
      // As the server does: a new member must start from a snapshot, so take one now and compact at
      // least the first entry, whatever the usual snapshot schedule.
      snapshotAndCompact(random.nextInt(5));
    }
  }

  /** Takes a snapshot of the state machine and drops the log before it, keeping a short tail. */
  void snapshotAndCompact(int keepEntries) {
    long index = appliedIndex;
    if (index <= storage.snapshot().getMetadata().getIndex()) {
      return;
    }
    ByteString data = ByteString.copyFrom(ByteBuffer.allocate(8).putLong(0, digest));
    Snapshot snap = storage.createSnapshot(index, confState, data);
    long compactTo = Math.max(1, index - keepEntries);
    if (compactTo >= storage.firstIndex()) {
      storage.compact(compactTo);
    }
    disk.snapshotAndCompact(snap, compactTo);
  }
}
