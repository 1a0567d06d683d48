package io.strata.raft;

import io.strata.raft.proto.Message;
import io.strata.raft.proto.MessageType;

/** A (pre-)candidate counts votes, and yields to a leader of its term. */
final class CandidateRole implements RoleBehavior {
  private final Raft raft;

  CandidateRole(Raft raft) {
    this.raft = raft;
  }

  @Override
  public void tick() {
    raft.tickElection();
  }

  @Override
  public void step(Message m) {
    MessageType myVoteResponse = raft.role == RaftRole.PRE_CANDIDATE
        ? MessageType.MSG_PRE_VOTE_RESP
        : MessageType.MSG_VOTE_RESP;
    switch (m.getType()) {
      // A leader of our term exists (its messages carry our term at least): follow it.
      case MSG_APP -> {
        raft.becomeFollower(m.getTerm(), m.getFrom());
        raft.handleAppendEntries(m);
      }
      case MSG_HEARTBEAT -> {
        raft.becomeFollower(m.getTerm(), m.getFrom());
        raft.handleHeartbeat(m);
      }
      case MSG_SNAP -> {
        raft.becomeFollower(m.getTerm(), m.getFrom());
        raft.handleSnapshot(m);
      }
      default -> {
        if (m.getType() == myVoteResponse) {
          countVote(m);
        }
      }
    }
  }

  private void countVote(Message m) {
    switch (raft.tracker.recordVote(m.getFrom(), !m.getReject())) {
      case WON -> {
        if (raft.role == RaftRole.PRE_CANDIDATE) {
          raft.campaign(CampaignType.ELECTION);
        } else {
          raft.becomeLeader();
          raft.leaderRole.broadcastAppend();
        }
      }
      // A lost pre-vote carries a future term; our own term stays.
      case LOST -> raft.becomeFollower(raft.term, 0);
      case PENDING -> { }
    }
  }
}
