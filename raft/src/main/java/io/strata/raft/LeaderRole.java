package io.strata.raft;

import com.google.protobuf.ByteString;
import io.strata.raft.proto.Entry;
import io.strata.raft.proto.EntryType;
import io.strata.raft.proto.Message;
import io.strata.raft.proto.MessageType;
import io.strata.raft.proto.Snapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The leader: appends proposals, replicates them to each member at the pace its progress allows,
 * commits by counting, confirms its leadership for reads, and hands leadership over on request.
 */
final class LeaderRole implements RoleBehavior {
  private final Raft raft;

  LeaderRole(Raft raft) {
    this.raft = raft;
  }

  @Override
  public void tick() {
    raft.heartbeatElapsed++;
    raft.electionElapsed++;
    if (raft.electionElapsed >= raft.electionTicks) {
      raft.electionElapsed = 0;
      if (raft.checkQuorum) {
        checkQuorum();
      }
      if (raft.role == RaftRole.LEADER && raft.leadTransferee != 0) {
        // A transfer that did not finish within an election timeout has failed; take proposals
        // again.
        raft.leadTransferee = 0;
      }
    }
    if (raft.role != RaftRole.LEADER) {
      return;
    }
    if (raft.heartbeatElapsed >= raft.heartbeatTicks) {
      raft.heartbeatElapsed = 0;
      broadcastHeartbeat(raft.readIndexQueue.lastContext());
    }
  }

  /** Steps down unless a quorum was heard from during the last election timeout. */
  private void checkQuorum() {
    Progress self = raft.tracker.progress.get(raft.id);
    if (self != null) {
      self.recentActive = true;
    }
    if (!raft.tracker.quorumActive()) {
      raft.becomeFollower(raft.term, 0);
      return;
    }
    for (var e : raft.tracker.progress.entrySet()) {
      if (e.getKey() != raft.id) {
        e.getValue().recentActive = false;
      }
    }
  }

  @Override
  public void step(Message m) {
    switch (m.getType()) {
      case MSG_PROP -> {
        if (m.getEntriesCount() > 0) {
          propose(m.getEntriesList());
        }
        return;
      }
      case MSG_READ_INDEX -> {
        handleReadIndex(m);
        return;
      }
      default -> { }
    }
    Progress pr = raft.tracker.progress.get(m.getFrom());
    if (pr == null) {
      return;
    }
    switch (m.getType()) {
      case MSG_APP_RESP -> handleAppendResponse(m, pr);
      case MSG_HEARTBEAT_RESP -> handleHeartbeatResponse(m, pr);
      case MSG_SNAP_STATUS -> {
        if (pr.state != ProgressState.SNAPSHOT) {
          return;
        }
        if (m.getReject()) {
          pr.pendingSnapshot = 0;
        }
        pr.becomeProbe();
        // After a success, wait for the member's append response before sending more; after a
        // failure, wait for a heartbeat response before trying again.
        pr.probeSent = true;
      }
      case MSG_UNREACHABLE -> {
        // Appends sent optimistically were probably lost; find out where the member is.
        if (pr.state == ProgressState.REPLICATE) {
          pr.becomeProbe();
        }
      }
      case MSG_TRANSFER_LEADER -> transferTo(m.getFrom(), pr);
      default -> { }
    }
  }

  // ---- proposals ----

  /**
   * Appends proposed entries (their term and index are assigned here). Refused while a leadership
   * transfer is in progress, when this leader is no longer a member, and for a conf change while
   * an earlier one is not applied yet.
   */
  boolean propose(List<Entry> entries) {
    if (!raft.tracker.progress.containsKey(raft.id) || raft.leadTransferee != 0) {
      return false;
    }
    long pendingConf = raft.pendingConfIndex;
    long last = raft.log.lastIndex();
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i).getType() == EntryType.ENTRY_CONF_CHANGE) {
        if (pendingConf > raft.log.applied()) {
          return false;
        }
        pendingConf = last + i + 1;
      }
    }
    raft.pendingConfIndex = pendingConf;
    appendEntries(entries);
    broadcastAppend();
    return true;
  }

  void appendEntries(List<Entry> entries) {
    long last = raft.log.lastIndex();
    List<Entry> stamped = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      stamped.add(entries.get(i).toBuilder().setTerm(raft.term).setIndex(last + 1 + i).build());
    }
    raft.log.append(stamped);
    // The leader's own copy counts towards commits once it is durable: see ownEntriesPersisted.
  }

  /**
   * Counts the leader's own copy of the log up to {@code index} towards commits, now that it is
   * durable. Counting it when appended would let a leader whose write is still under way commit
   * (and apply, and acknowledge) an entry that one follower and nothing else holds on disk.
   */
  void ownEntriesPersisted(long index) {
    Progress self = raft.tracker.progress.get(raft.id);
    if (self == null || !self.maybeUpdate(index)) {
      // A leader outside its configuration holds entries but does not count towards commits.
      return;
    }
    if (raft.maybeCommit()) {
      releasePendingReadIndexMessages();
      broadcastAppend();
    }
  }

  // ---- replication ----

  void broadcastAppend() {
    for (long peer : raft.tracker.progress.keySet()) {
      if (peer != raft.id) {
        maybeSendAppend(peer, true);
      }
    }
  }

  /**
   * Sends the member the entries it lacks, as its progress allows, or a snapshot when they are
   * compacted. With {@code sendIfEmpty} an append without entries still goes out (to carry the
   * commit index or probe); returns whether a message was sent.
   */
  boolean maybeSendAppend(long to, boolean sendIfEmpty) {
    Progress pr = raft.tracker.progress.get(to);
    if (pr.paused()) {
      return false;
    }
    long prevIndex = pr.next - 1;
    long prevTerm;
    List<Entry> entries;
    try {
      prevTerm = raft.log.term(prevIndex);
      entries = raft.log.entriesFrom(pr.next, raft.maxSizePerMsgBytes);
    } catch (CompactedLogException e) {
      return sendSnapshot(to, pr);
    }
    if (entries.isEmpty() && !sendIfEmpty) {
      return false;
    }
    if (!entries.isEmpty()) {
      long lastSent = entries.get(entries.size() - 1).getIndex();
      switch (pr.state) {
        case REPLICATE -> {
          pr.optimisticUpdate(lastSent);
          pr.inflights.add(lastSent, EntrySizes.sizeBytes(entries));
        }
        case PROBE -> pr.probeSent = true;
        case SNAPSHOT -> Invariants.check(false, "append to member %d while it installs a snapshot", to);
      }
    }
    raft.send(Message.newBuilder().setType(MessageType.MSG_APP).setTo(to).setIndex(prevIndex)
        .setLogTerm(prevTerm).addAllEntries(entries).setCommit(raft.log.committed()));
    return true;
  }

  private boolean sendSnapshot(long to, Progress pr) {
    if (!pr.recentActive) {
      // Do not ship a whole snapshot to a member that may be down.
      return false;
    }
    Snapshot snapshot = raft.log.snapshot();
    long index = snapshot.getMetadata().getIndex();
    Invariants.check(index != 0, "member %d needs compacted entries but there is no snapshot", to);
    pr.becomeSnapshot(index);
    raft.send(Message.newBuilder().setType(MessageType.MSG_SNAP).setTo(to).setSnapshot(snapshot));
    return true;
  }

  void broadcastHeartbeat(ByteString context) {
    for (var e : raft.tracker.progress.entrySet()) {
      long peer = e.getKey();
      if (peer == raft.id) {
        continue;
      }
      // Never announce a commit beyond what the member is known to hold: it cannot tell whether
      // its own entry at that index is ours.
      long commit = Math.min(e.getValue().match, raft.log.committed());
      raft.send(Message.newBuilder().setType(MessageType.MSG_HEARTBEAT).setTo(peer).setCommit(commit)
          .setContext(context));
    }
  }

  private void handleAppendResponse(Message m, Progress pr) {
    pr.recentActive = true;
    if (m.getReject()) {
      long nextProbe = m.getRejectHint();
      if (m.getLogTerm() > 0) {
        // The member's log at the hint has logTerm; skip our entries of later terms as well.
        nextProbe = raft.log.findConflictByTerm(m.getRejectHint(), m.getLogTerm());
      }
      if (pr.maybeDecrTo(m.getIndex(), nextProbe)) {
        if (pr.state == ProgressState.REPLICATE) {
          pr.becomeProbe();
        }
        maybeSendAppend(m.getFrom(), true);
      }
      return;
    }
    boolean wasPaused = pr.paused();
    if (!pr.maybeUpdate(m.getIndex())) {
      return;
    }
    switch (pr.state) {
      case PROBE -> pr.becomeReplicate();
      case SNAPSHOT -> {
        if (pr.match >= pr.pendingSnapshot) {
          pr.becomeProbe();
          pr.becomeReplicate();
        }
      }
      case REPLICATE -> pr.inflights.freeLE(m.getIndex());
    }
    if (raft.maybeCommit()) {
      releasePendingReadIndexMessages();
      broadcastAppend();
    } else if (wasPaused) {
      maybeSendAppend(m.getFrom(), true);
    }
    // The window may have opened by more than one message; fill it.
    while (maybeSendAppend(m.getFrom(), false)) {
      // keep sending
    }
    if (m.getFrom() == raft.leadTransferee && pr.match == raft.log.lastIndex()) {
      sendTimeoutNow(m.getFrom());
    }
    if (raft.outsideConfiguration() && committedEntryInCurrentTerm()) {
      // A leader outside its configuration only had to hand its log to the remaining voters;
      // they hold it now and the appends above tell them the commit index. Let them lead.
      raft.becomeFollower(raft.term, 0);
    }
  }

  private void handleHeartbeatResponse(Message m, Progress pr) {
    pr.recentActive = true;
    pr.probeSent = false;
    if (pr.state == ProgressState.REPLICATE && pr.inflights.full()) {
      // The member is alive; let one more append through even if acknowledgements were lost.
      pr.inflights.freeFirstOne();
    }
    if (pr.match < raft.log.lastIndex()) {
      maybeSendAppend(m.getFrom(), true);
    }
    if (m.getContext().isEmpty()) {
      return;
    }
    Set<Long> acks = raft.readIndexQueue.ack(m.getFrom(), m.getContext());
    if (acks == null) {
      return;
    }
    Map<Long, Boolean> answers = new HashMap<>();
    for (long a : acks) {
      answers.put(a, true);
    }
    if (raft.tracker.voteResult(answers) != ProgressTracker.VoteResult.WON) {
      return;
    }
    for (ReadIndexQueue.Pending p : raft.readIndexQueue.releaseThrough(m.getContext())) {
      respondToReadIndex(p.request(), p.index());
    }
  }

  // ---- reads ----

  private void handleReadIndex(Message m) {
    if (m.getEntriesCount() != 1) {
      return;
    }
    if (raft.tracker.isSingleton() && raft.tracker.voters.contains(raft.id)) {
      // No one else could have been elected: the commit index is current.
      respondToReadIndex(m, raft.log.committed());
      return;
    }
    if (!committedEntryInCurrentTerm()) {
      raft.pendingReadIndexMessages.add(m);
      return;
    }
    confirmLeadershipFor(m);
  }

  private void confirmLeadershipFor(Message m) {
    ByteString context = m.getEntries(0).getData();
    raft.readIndexQueue.add(raft.log.committed(), m);
    raft.readIndexQueue.ack(raft.id, context);
    broadcastHeartbeat(context);
  }

  private boolean committedEntryInCurrentTerm() {
    return raft.log.termOrZero(raft.log.committed()) == raft.term;
  }

  private void releasePendingReadIndexMessages() {
    if (raft.pendingReadIndexMessages.isEmpty() || !committedEntryInCurrentTerm()) {
      return;
    }
    List<Message> waiting = new ArrayList<>(raft.pendingReadIndexMessages);
    raft.pendingReadIndexMessages.clear();
    for (Message m : waiting) {
      confirmLeadershipFor(m);
    }
  }

  private void respondToReadIndex(Message request, long index) {
    if (request.getFrom() == 0 || request.getFrom() == raft.id) {
      raft.readStates.add(new ReadState(index, request.getEntries(0).getData()));
      return;
    }
    raft.send(Message.newBuilder().setType(MessageType.MSG_READ_INDEX_RESP).setTo(request.getFrom())
        .setIndex(index).addAllEntries(request.getEntriesList()));
  }

  // ---- leadership transfer ----

  private void transferTo(long transferee, Progress pr) {
    if (pr.learner) {
      return;
    }
    if (raft.leadTransferee != 0) {
      if (raft.leadTransferee == transferee) {
        return;
      }
      raft.leadTransferee = 0;
    }
    if (transferee == raft.id) {
      return;
    }
    // The transfer must finish within one election timeout, counted from now.
    raft.electionElapsed = 0;
    raft.leadTransferee = transferee;
    if (pr.match == raft.log.lastIndex()) {
      sendTimeoutNow(transferee);
    } else {
      maybeSendAppend(transferee, true);
    }
  }

  private void sendTimeoutNow(long to) {
    raft.send(Message.newBuilder().setType(MessageType.MSG_TIMEOUT_NOW).setTo(to));
  }
}
