package io.strata.raft;

import com.google.protobuf.ByteString;
import io.strata.raft.proto.ConfChange;
import io.strata.raft.proto.ConfState;
import io.strata.raft.proto.Entry;
import io.strata.raft.proto.EntryType;
import io.strata.raft.proto.HardState;
import io.strata.raft.proto.Message;
import io.strata.raft.proto.MessageType;
import io.strata.raft.proto.Snapshot;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * One member's consensus core: a deterministic state machine with no threads, clock or I/O.
 * Time is {@link #tick()}, input is {@link #step} and the proposal methods, and output is the
 * {@link Ready} batch, which the caller persists, sends and applies before {@link #advance}.
 *
 * <p>The writes a Ready asks for may also finish later: the caller {@link #accept}s the Ready at
 * once, keeps stepping, ticking and taking further Readies while they run, and reports each as
 * {@link #persisted} when it is durable. That keeps heartbeats and elections independent of how
 * long an fsync takes.
 *
 * <p>Not thread-safe: one thread drives it. Between {@link #ready()} and {@link #advance} (or
 * {@link #accept}) the caller may keep stepping messages and ticking, but {@link #hasReady()}
 * stays false and {@link #ready()} refuses until the outstanding batch is advanced.
 */
public final class RaftNode {
  private final Raft raft;
  private SoftState prevSoftState;
  private HardState prevHardState;
  // The Ready handed out and not yet advanced, or null.
  private Ready outstanding;

  public RaftNode(RaftConfig config, RaftStorage storage, Random random) {
    this.raft = new Raft(config, storage, random);
    this.prevSoftState = raft.softState();
    this.prevHardState = raft.hardState();
  }

  public void tick() {
    raft.tick();
  }

  /** Steps a message received from a peer. */
  public void step(Message message) {
    if (Messages.isLocal(message.getType())) {
      throw new IllegalArgumentException("a peer cannot send " + message.getType());
    }
    if (Messages.isResponse(message.getType()) && !raft.tracker.progress.containsKey(message.getFrom())) {
      // An answer from a member that is not (or no longer) in the configuration.
      return;
    }
    raft.step(message);
  }

  /**
   * Proposes entries to append, in order. Returns false if this member is not the leader or the
   * leader refuses (a leadership transfer is in progress, or it is no longer a member); the
   * entries may still be lost later, as with any uncommitted entry.
   */
  public boolean propose(List<ByteString> data) {
    if (data.isEmpty()) {
      throw new IllegalArgumentException("nothing to propose");
    }
    if (raft.role != RaftRole.LEADER) {
      return false;
    }
    List<Entry> entries = new ArrayList<>(data.size());
    for (ByteString d : data) {
      entries.add(Entry.newBuilder().setType(EntryType.ENTRY_NORMAL).setData(d).build());
    }
    return raft.leaderRole.propose(entries);
  }

  /**
   * Proposes a membership change. Returns false if this member is not the leader, or while an
   * earlier change is not yet applied (one change at a time). The change takes effect when the
   * caller applies the committed entry and calls {@link #applyConfChange}.
   */
  public boolean proposeConfChange(ConfChange change) {
    if (raft.role != RaftRole.LEADER) {
      return false;
    }
    Entry entry = Entry.newBuilder().setType(EntryType.ENTRY_CONF_CHANGE).setData(change.toByteString()).build();
    return raft.leaderRole.propose(List.of(entry));
  }

  /** Applies a committed conf change to the membership; returns the new membership. */
  public ConfState applyConfChange(ConfChange change) {
    return raft.applyConfChange(change);
  }

  /** Starts an election now (with a pre-vote round if configured). */
  public void campaign() {
    raft.step(Message.newBuilder().setType(MessageType.MSG_HUP).setFrom(raft.id).build());
  }

  /**
   * Asks for a read index; the answer arrives as a {@link ReadState} carrying
   * {@code requestContext} in a later Ready. There is no answer if no leader is known or
   * leadership is lost meanwhile, so the caller retries after a timeout. Contexts should be
   * unique: concurrent requests with equal contexts are answered once.
   */
  public void readIndex(ByteString requestContext) {
    raft.step(Message.newBuilder().setType(MessageType.MSG_READ_INDEX)
        .addEntries(Entry.newBuilder().setData(requestContext)).build());
  }

  /** Asks the leader (directly, or through this follower) to hand leadership to transferee. */
  public void transferLeadership(long transferee) {
    raft.step(Message.newBuilder().setType(MessageType.MSG_TRANSFER_LEADER).setFrom(transferee).build());
  }

  /**
   * Tells this member that {@code peer}'s process is gone: its connections closed and a new one
   * was refused. If it was this follower's leader, the follower forgets it and grants votes at
   * once; call {@link #campaignAfterLeaderGone} after a random delay (so that the followers do
   * not all campaign together) to start an election without waiting for the election timeout.
   *
   * @return whether {@code peer} was this member's leader
   */
  public boolean reportPeerGone(long peer) {
    return raft.peerGone(peer);
  }

  /**
   * Starts an election (with a pre-vote round if configured) if this member is still a follower
   * without a leader in the term {@link #reportPeerGone} found its leader gone.
   */
  public void campaignAfterLeaderGone() {
    raft.campaignAfterLeaderGone();
  }

  /** Tells the leader that a message to peer could not be delivered. */
  public void reportUnreachable(long peer) {
    raft.step(Message.newBuilder().setType(MessageType.MSG_UNREACHABLE).setFrom(peer).build());
  }

  /** Tells the leader whether the snapshot it sent to peer was installed. */
  public void reportSnapshot(long peer, boolean failed) {
    raft.step(Message.newBuilder().setType(MessageType.MSG_SNAP_STATUS).setFrom(peer).setReject(failed).build());
  }

  public boolean hasReady() {
    if (outstanding != null) {
      return false;
    }
    RaftLog log = raft.log;
    return !raft.softState().equals(prevSoftState)
        || !raft.hardState().equals(prevHardState)
        || log.unstable.snapshotToPersist() != null
        || !log.unstable.entriesToPersist().isEmpty()
        || log.hasNextCommittedEntries()
        || !raft.messages.isEmpty()
        || !raft.readStates.isEmpty();
  }

  public Ready ready() {
    if (outstanding != null) {
      throw new IllegalStateException("the previous Ready was not advanced");
    }
    SoftState soft = raft.softState();
    HardState hard = raft.hardState();
    SoftState softChange = soft.equals(prevSoftState) ? null : soft;
    HardState hardChange = hard.equals(prevHardState) ? null : hard;
    List<Entry> entries = List.copyOf(raft.log.unstable.entriesToPersist());
    Snapshot snapshot = raft.log.unstable.snapshotToPersist();
    List<Entry> committed = raft.log.nextCommittedEntries(raft.maxSizePerMsgBytes);
    List<Message> messages = raft.messages;
    raft.messages = new ArrayList<>();
    List<ReadState> readStates = raft.readStates;
    raft.readStates = new ArrayList<>();
    boolean mustSync = !entries.isEmpty() || snapshot != null
        || hard.getTerm() != prevHardState.getTerm() || hard.getVote() != prevHardState.getVote();
    prevSoftState = soft;
    outstanding = new Ready(softChange, hardChange, Collections.unmodifiableList(readStates), entries,
        snapshot, committed, Collections.unmodifiableList(messages), mustSync);
    return outstanding;
  }

  /**
   * Acknowledges that everything {@code ready} asked for is done, its writes included: {@link
   * #accept} and {@link #persisted} at once.
   */
  public void advance(Ready ready) {
    accept(ready);
    persisted(ready);
  }

  /**
   * Acknowledges a Ready whose writes are still under way: its committed entries are handed to
   * the state machine, its messages sent, except those {@link #waitsForPersistence} holds back,
   * which the caller sends once {@link #persisted} can be called. The next Ready may then be
   * taken at once; it does not hand out these writes again.
   *
   * <p>Committed entries are handed out only once this member's own copy is durable, so a Ready
   * taken while writes are under way may hold fewer of them than the commit index allows.
   */
  public void accept(Ready ready) {
    if (ready != outstanding) {
      throw new IllegalStateException("accept of a Ready that is not the outstanding one");
    }
    outstanding = null;
    if (ready.hardState() != null) {
      prevHardState = ready.hardState();
    }
    if (!ready.committedEntries().isEmpty()) {
      raft.log.appliedTo(ready.committedEntries().get(ready.committedEntries().size() - 1).getIndex());
    } else if (ready.snapshot() != null) {
      raft.log.appliedTo(ready.snapshot().getMetadata().getIndex());
    }
    Entry last = ready.entries().isEmpty() ? null : ready.entries().get(ready.entries().size() - 1);
    raft.log.unstable.acceptInProgress(last == null ? -1 : last.getIndex(), last == null ? -1 : last.getTerm(),
        ready.snapshot());
  }

  /**
   * Reports that the writes of an accepted Ready are durable (fsynced if it asked for it) and in
   * the storage. Readies must be reported in the order they were handed out. A leader counts its
   * own copy of entries towards commits only from here on.
   */
  public void persisted(Ready ready) {
    if (ready.hardState() != null) {
      raft.hardStatePersisted(ready.hardState());
    }
    if (ready.snapshot() != null) {
      raft.log.stableSnapshotTo(ready.snapshot().getMetadata().getIndex());
    }
    if (!ready.entries().isEmpty()) {
      Entry last = ready.entries().get(ready.entries().size() - 1);
      raft.log.stableTo(last.getIndex(), last.getTerm());
      raft.ownEntriesPersisted(last.getIndex(), last.getTerm());
    }
  }

  /**
   * Whether a message must wait until the writes of its Ready are durable: answers to appends
   * and votes promise what is on disk, and a vote request asks others to join a vote for itself
   * that a crash must not forget. Everything else may leave before the writes finish.
   */
  public static boolean waitsForPersistence(MessageType type) {
    return switch (type) {
      case MSG_APP_RESP, MSG_VOTE, MSG_VOTE_RESP, MSG_PRE_VOTE, MSG_PRE_VOTE_RESP -> true;
      default -> false;
    };
  }

  public RaftStatus status() {
    Map<Long, PeerProgress> progress = new TreeMap<>();
    if (raft.role == RaftRole.LEADER) {
      raft.tracker.progress.forEach((member, pr) -> progress.put(member, pr.view()));
    }
    return new RaftStatus(raft.id, raft.term, raft.vote, raft.leader, raft.role, raft.log.committed(),
        raft.log.applied(), raft.log.lastIndex(), Collections.unmodifiableMap(progress), raft.leadTransferee,
        raft.tracker.confState());
  }
}
