package io.strata.raft;

import io.strata.raft.proto.ConfChange;
import io.strata.raft.proto.ConfState;
import io.strata.raft.proto.Entry;
import io.strata.raft.proto.EntryType;
import io.strata.raft.proto.HardState;
import io.strata.raft.proto.Message;
import io.strata.raft.proto.MessageType;
import io.strata.raft.proto.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The consensus state machine of one member: term, vote, role, log and membership, and the rules
 * that are the same whatever the role (term comparison, voting, accepting a leader's appends).
 * What differs per role lives in {@link LeaderRole}, {@link CandidateRole} and
 * {@link FollowerRole}. Output accumulates in {@link #messages} and {@link #readStates} until the
 * next Ready takes it.
 */
final class Raft {
  final long id;
  final RaftLog log;
  final ProgressTracker tracker;
  final int electionTicks;
  final int heartbeatTicks;
  final long maxSizePerMsgBytes;
  final boolean preVote;
  final boolean checkQuorum;
  private final Random random;

  long term;
  // The member this one voted for in 'term'; 0 for none.
  long vote;
  // The leader of 'term' as far as this member knows; 0 for none.
  long leader;
  RaftRole role;
  // The member a leadership transfer is handing over to; 0 when none is in progress.
  long leadTransferee;
  // The index of the latest conf change in the log; a new one waits until this is applied.
  long pendingConfIndex;
  // Ticks since the last election timeout (or, for the leader, the last check-quorum round).
  int electionElapsed;
  int heartbeatElapsed;
  // Drawn from [electionTicks, 2 * electionTicks) on every reset, so that members rarely time
  // out together and split the vote.
  int randomizedElectionTicks;
  // A candidate whose own vote alone wins leads once that vote is durable (see campaign).
  boolean winsOnceVoteDurable;
  // The term in which this follower was told its leader's process is gone; -1 when it was not.
  long leaderGoneTerm = -1;
  ReadIndexQueue readIndexQueue = new ReadIndexQueue();
  // Read requests that arrived before this leader committed an entry of its own term: until then
  // it does not know the true commit index.
  final List<Message> pendingReadIndexMessages = new ArrayList<>();
  List<Message> messages = new ArrayList<>();
  List<ReadState> readStates = new ArrayList<>();

  final LeaderRole leaderRole;
  private final CandidateRole candidateRole;
  private final FollowerRole followerRole;
  private final MembershipChanges membership;
  private RoleBehavior behavior;

  Raft(RaftConfig config, RaftStorage storage, Random random) {
    this.id = config.id();
    this.electionTicks = config.electionTicks();
    this.heartbeatTicks = config.heartbeatTicks();
    this.maxSizePerMsgBytes = config.maxSizePerMsgBytes();
    this.preVote = config.preVote();
    this.checkQuorum = config.checkQuorum();
    this.random = random;
    this.log = new RaftLog(storage);
    this.tracker = new ProgressTracker(config.maxInflightMsgs(), config.maxInflightBytes());
    this.leaderRole = new LeaderRole(this);
    this.candidateRole = new CandidateRole(this);
    this.followerRole = new FollowerRole(this);
    this.membership = new MembershipChanges(this);

    InitialState initial = storage.initialState();
    ConfState cs = initial.confState();
    Invariants.check(cs.getVotersOutgoingCount() == 0 && cs.getLearnersNextCount() == 0,
        "joint configurations are not supported: %s", cs);
    for (long voter : cs.getVotersList()) {
      addProgress(voter, false);
      tracker.voters.add(voter);
    }
    for (long learner : cs.getLearnersList()) {
      addProgress(learner, true);
      tracker.learners.add(learner);
    }
    HardState hs = initial.hardState();
    if (!hs.equals(HardState.getDefaultInstance())) {
      log.loadCommit(hs.getCommit());
      term = hs.getTerm();
      vote = hs.getVote();
    }
    if (config.appliedIndex() > log.applied()) {
      log.appliedTo(config.appliedIndex());
    }
    becomeFollower(term, 0);
  }

  SoftState softState() {
    return new SoftState(leader, role);
  }

  HardState hardState() {
    return HardState.newBuilder().setTerm(term).setVote(vote).setCommit(log.committed()).build();
  }

  // ---- role transitions ----

  void becomeFollower(long newTerm, long newLeader) {
    behavior = followerRole;
    reset(newTerm);
    leader = newLeader;
    role = RaftRole.FOLLOWER;
  }

  void becomePreCandidate() {
    Invariants.check(role != RaftRole.LEADER, "invalid transition leader -> pre-candidate");
    // A pre-candidate keeps its term and vote: it only asks whether it could win.
    behavior = candidateRole;
    tracker.resetVotes();
    leader = 0;
    role = RaftRole.PRE_CANDIDATE;
  }

  void becomeCandidate() {
    Invariants.check(role != RaftRole.LEADER, "invalid transition leader -> candidate");
    behavior = candidateRole;
    reset(term + 1);
    vote = id;
    role = RaftRole.CANDIDATE;
  }

  void becomeLeader() {
    Invariants.check(role != RaftRole.FOLLOWER, "invalid transition follower -> leader");
    behavior = leaderRole;
    reset(term);
    leader = id;
    role = RaftRole.LEADER;
    Progress self = tracker.progress.get(id);
    if (self != null) {
      self.becomeReplicate();
    }
    // Entries of earlier terms may hold a conf change that is not applied yet; refuse new changes
    // until everything up to here is applied.
    pendingConfIndex = log.lastIndex();
    // An entry of its own term is what lets the new leader commit (and so learn the commit index
    // of) everything before it.
    leaderRole.appendEntries(List.of(Entry.getDefaultInstance()));
  }

  private void reset(long newTerm) {
    if (term != newTerm) {
      term = newTerm;
      vote = 0;
    }
    leader = 0;
    winsOnceVoteDurable = false;
    electionElapsed = 0;
    heartbeatElapsed = 0;
    randomizedElectionTicks = electionTicks + random.nextInt(electionTicks);
    leadTransferee = 0;
    tracker.resetVotes();
    long last = log.lastIndex();
    for (var e : tracker.progress.entrySet()) {
      Progress fresh = new Progress(0, last + 1, tracker.newInflights(), e.getValue().learner);
      if (e.getKey() == id) {
        // Only what is durable counts: entries still being written are counted when they are.
        fresh.match = Math.min(last, log.persistedThrough());
      }
      e.setValue(fresh);
    }
    pendingConfIndex = 0;
    readIndexQueue = new ReadIndexQueue();
    pendingReadIndexMessages.clear();
  }

  // ---- ticks and messages ----

  void tick() {
    behavior.tick();
  }

  /**
   * {@code peer}'s process is gone, as the transport found (its connections closed and a new one
   * was refused). A follower of it stops counting on it: it knows no leader, and the lease that
   * made it ignore vote requests is over, so an election can start at once instead of after the
   * election timeout. A false report costs nothing: the leader's next message restores it, and
   * with pre-vote a member that still hears from the leader refuses to help depose it.
   *
   * @return whether {@code peer} was this follower's leader
   */
  boolean peerGone(long peer) {
    if (role != RaftRole.FOLLOWER || peer == id || peer == 0 || leader != peer) {
      return false;
    }
    leader = 0;
    electionElapsed = Math.max(electionElapsed, electionTicks);
    leaderGoneTerm = term;
    return true;
  }

  /**
   * Campaigns if this member is still a leaderless follower in the term its leader was reported
   * gone: nobody has started an election it heard of, nor has the leader come back.
   */
  void campaignAfterLeaderGone() {
    if (role == RaftRole.FOLLOWER && leader == 0 && term == leaderGoneTerm) {
      leaderGoneTerm = -1;
      hup(preVote ? CampaignType.PRE_ELECTION : CampaignType.ELECTION);
    }
  }

  void tickElection() {
    electionElapsed++;
    if (promotable() && electionElapsed >= randomizedElectionTicks) {
      electionElapsed = 0;
      step(Message.newBuilder().setType(MessageType.MSG_HUP).setFrom(id).build());
    }
  }

  /**
   * Whether this member may become leader: a voter that is not installing a snapshot, or a member
   * outside its own configuration whose log runs past its commit index.
   *
   * <p>The second case is a removed member, typically a removed leader that applied its own
   * removal and stepped down before the remaining voters learnt that the removal is committed.
   * They still count it as a voter, and it refuses them its vote while its log is longer than
   * theirs; if it never campaigned, a remaining voter that needs its vote (the last one of two,
   * say) would wait for it forever. Campaigning under its own configuration, without counting its own vote, is what the
   * Raft thesis (section 4.2.2) prescribes for a server outside its latest configuration; it
   * leads only until an entry of its term is committed, which hands the remaining voters its log
   * and the commit index (see {@link LeaderRole}).
   */
  boolean promotable() {
    if (log.hasPendingSnapshot()) {
      return false;
    }
    Progress self = tracker.progress.get(id);
    if (self != null) {
      return !self.learner;
    }
    return !tracker.voters.isEmpty() && log.lastIndex() > log.committed();
  }

  /** Whether this member is outside its own configuration (removed, or not yet added). */
  boolean outsideConfiguration() {
    return !tracker.progress.containsKey(id);
  }

  void step(Message m) {
    MessageType type = m.getType();
    if (m.getTerm() > term) {
      if (Messages.isVoteRequest(type)) {
        boolean force = m.getContext().equals(CampaignType.TRANSFER_CONTEXT);
        boolean inLease = checkQuorum && leader != 0 && electionElapsed < electionTicks;
        if (!force && inLease) {
          // A member that heard from a live leader within the election timeout ignores vote
          // requests, so that a member rejoining after a partition cannot depose it.
          return;
        }
      }
      if (type == MessageType.MSG_PRE_VOTE) {
        // A pre-vote never changes our term.
      } else if (type == MessageType.MSG_PRE_VOTE_RESP && !m.getReject()) {
        // A granted pre-vote carries the future term we asked about; ours rises only if we win.
      } else if (type == MessageType.MSG_APP || type == MessageType.MSG_HEARTBEAT
          || type == MessageType.MSG_SNAP) {
        becomeFollower(m.getTerm(), m.getFrom());
      } else {
        becomeFollower(m.getTerm(), 0);
      }
    } else if (m.getTerm() != 0 && m.getTerm() < term) {
      if ((checkQuorum || preVote)
          && (type == MessageType.MSG_HEARTBEAT || type == MessageType.MSG_APP)) {
        // A stale leader would otherwise never learn our newer term: with check-quorum or pre-vote
        // our term may have risen without anyone else following, and this answer lets it step
        // down so a new election can include us.
        send(Message.newBuilder().setType(MessageType.MSG_APP_RESP).setTo(m.getFrom()));
      } else if (type == MessageType.MSG_PRE_VOTE) {
        send(Message.newBuilder().setType(MessageType.MSG_PRE_VOTE_RESP).setTo(m.getFrom())
            .setTerm(term).setReject(true));
      }
      return;
    }

    switch (type) {
      case MSG_HUP -> hup(preVote ? CampaignType.PRE_ELECTION : CampaignType.ELECTION);
      case MSG_VOTE, MSG_PRE_VOTE -> handleVoteRequest(m);
      default -> behavior.step(m);
    }
  }

  private void handleVoteRequest(Message m) {
    boolean canVote = vote == m.getFrom()
        || (vote == 0 && leader == 0)
        || (m.getType() == MessageType.MSG_PRE_VOTE && m.getTerm() > term);
    MessageType response = Messages.voteResponseTo(m.getType());
    if (canVote && log.isUpToDate(m.getIndex(), m.getLogTerm())) {
      // The response carries the candidate's term: for a pre-vote that is a future term, which
      // the pre-candidate expects in a granted answer.
      send(Message.newBuilder().setType(response).setTo(m.getFrom()).setTerm(m.getTerm()));
      if (m.getType() == MessageType.MSG_VOTE) {
        electionElapsed = 0;
        vote = m.getFrom();
      }
    } else {
      send(Message.newBuilder().setType(response).setTo(m.getFrom()).setTerm(term).setReject(true));
    }
  }

  void send(Message.Builder m) {
    if (m.getFrom() == 0) {
      m.setFrom(id);
    }
    if (Messages.carriesOwnTerm(m.getType())) {
      Invariants.check(m.getTerm() != 0, "%s must carry a term", m.getType());
    } else if (m.getType() == MessageType.MSG_PROP || m.getType() == MessageType.MSG_READ_INDEX) {
      // Forwarded requests carry no term: the receiving leader treats them as its own.
      m.setTerm(0);
    } else {
      m.setTerm(term);
    }
    messages.add(m.build());
  }

  // ---- elections ----

  void hup(CampaignType type) {
    if (role == RaftRole.LEADER || !promotable()) {
      return;
    }
    if (hasUnappliedConfChange()) {
      // The configuration we would campaign under may be about to change.
      return;
    }
    campaign(type);
  }

  private boolean hasUnappliedConfChange() {
    long lo = Math.max(log.applied() + 1, log.firstIndex());
    long hi = log.committed() + 1;
    while (lo < hi) {
      List<Entry> page = log.slice(lo, hi, maxSizePerMsgBytes);
      for (Entry e : page) {
        if (e.getType() == EntryType.ENTRY_CONF_CHANGE) {
          return true;
        }
      }
      lo += page.size();
    }
    return false;
  }

  void campaign(CampaignType type) {
    long voteTerm;
    MessageType voteType;
    if (type == CampaignType.PRE_ELECTION) {
      becomePreCandidate();
      voteType = MessageType.MSG_PRE_VOTE;
      voteTerm = term + 1;
    } else {
      becomeCandidate();
      voteType = MessageType.MSG_VOTE;
      voteTerm = term;
    }
    if (tracker.recordVote(id, true) == ProgressTracker.VoteResult.WON) {
      // A single voter wins at once.
      if (type == CampaignType.PRE_ELECTION) {
        campaign(CampaignType.ELECTION);
      } else {
        // With other voters, their votes are durable before they are counted, and this member's
        // vote requests leave only once its own is. Alone, nothing would stand behind the win: a
        // crash before the new term and vote reach the disk would let this term be won again,
        // with another log, by this member or by a removed one it then votes for.
        winsOnceVoteDurable = true;
      }
      return;
    }
    for (long peer : tracker.voters) {
      if (peer == id) {
        continue;
      }
      Message.Builder request = Message.newBuilder().setType(voteType).setTo(peer).setTerm(voteTerm)
          .setIndex(log.lastIndex()).setLogTerm(log.lastTerm());
      if (type == CampaignType.TRANSFER) {
        request.setContext(CampaignType.TRANSFER_CONTEXT);
      }
      send(request);
    }
  }

  // ---- following a leader ----

  void handleAppendEntries(Message m) {
    if (m.getIndex() < log.committed()) {
      send(Message.newBuilder().setType(MessageType.MSG_APP_RESP).setTo(m.getFrom()).setIndex(log.committed()));
      return;
    }
    long lastNew = log.maybeAppend(m.getIndex(), m.getLogTerm(), m.getCommit(), m.getEntriesList());
    if (lastNew >= 0) {
      send(Message.newBuilder().setType(MessageType.MSG_APP_RESP).setTo(m.getFrom()).setIndex(lastNew));
      return;
    }
    // Our log lacks (index, logTerm). Hint the highest index whose term is at most logTerm: the
    // leader can skip every entry above it, one round trip per term instead of per entry.
    long hintIndex = log.findConflictByTerm(Math.min(m.getIndex(), log.lastIndex()), m.getLogTerm());
    long hintTerm = log.termOrZero(hintIndex);
    send(Message.newBuilder().setType(MessageType.MSG_APP_RESP).setTo(m.getFrom()).setIndex(m.getIndex())
        .setReject(true).setRejectHint(hintIndex).setLogTerm(hintTerm));
  }

  void handleHeartbeat(Message m) {
    // The leader sends min(our match, its commit), so the entry there is known to be the leader's.
    log.commitTo(m.getCommit());
    send(Message.newBuilder().setType(MessageType.MSG_HEARTBEAT_RESP).setTo(m.getFrom()).setContext(m.getContext()));
  }

  void handleSnapshot(Message m) {
    if (restore(m.getSnapshot())) {
      send(Message.newBuilder().setType(MessageType.MSG_APP_RESP).setTo(m.getFrom()).setIndex(log.lastIndex()));
    } else {
      send(Message.newBuilder().setType(MessageType.MSG_APP_RESP).setTo(m.getFrom()).setIndex(log.committed()));
    }
  }

  /** Installs a leader's snapshot; false if it brings nothing new (or is not meant for us). */
  private boolean restore(Snapshot snapshot) {
    long index = snapshot.getMetadata().getIndex();
    if (index <= log.committed()) {
      return false;
    }
    if (role != RaftRole.FOLLOWER) {
      // Only a follower of this term's leader receives snapshots; anything else means a second
      // leader in the term. Moving to the next term is the safe way out.
      becomeFollower(term + 1, 0);
      return false;
    }
    ConfState cs = snapshot.getMetadata().getConfState();
    boolean joining = tracker.progress.isEmpty();
    if (!joining && !cs.getVotersList().contains(id) && !cs.getLearnersList().contains(id)) {
      // A snapshot of a configuration without us is meant for someone else, unless we are a new
      // member with no configuration yet whose addition follows the snapshot in the log.
      return false;
    }
    if (log.matchTerm(index, snapshot.getMetadata().getTerm())) {
      // We already have the snapshot's last entry, so our log up to it is the leader's.
      log.commitTo(index);
      return false;
    }
    log.restore(snapshot);
    tracker.voters.clear();
    tracker.learners.clear();
    tracker.progress.clear();
    for (long voter : cs.getVotersList()) {
      addProgress(voter, false);
      tracker.voters.add(voter);
    }
    for (long learner : cs.getLearnersList()) {
      addProgress(learner, true);
      tracker.learners.add(learner);
    }
    switchToConfig();
    return true;
  }

  // ---- membership ----

  void addProgress(long member, boolean learner) {
    Progress pr = new Progress(0, Math.max(log.lastIndex(), 1), tracker.newInflights(), learner);
    // A new member counts as active, or check-quorum could depose the leader before the member
    // ever had a chance to answer.
    pr.recentActive = true;
    tracker.progress.put(member, pr);
  }

  ConfState applyConfChange(ConfChange cc) {
    return membership.apply(cc);
  }

  ConfState switchToConfig() {
    return membership.switchToConfig();
  }

  /** The hard state {@code persisted} is durable. */
  void hardStatePersisted(HardState persisted) {
    if (winsOnceVoteDurable && role == RaftRole.CANDIDATE && persisted.getTerm() == term
        && persisted.getVote() == id) {
      winsOnceVoteDurable = false;
      becomeLeader();
      leaderRole.broadcastAppend();
    }
  }

  /** Told that this member's log up to (index, term) is durable. */
  void ownEntriesPersisted(long index, long term) {
    if (role == RaftRole.LEADER && log.matchTerm(index, term)) {
      leaderRole.ownEntriesPersisted(index);
    }
  }

  boolean maybeCommit() {
    return log.maybeCommit(tracker.committedIndex(), term);
  }
}
