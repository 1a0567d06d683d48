package io.strata.raft;

import io.strata.raft.proto.Message;

/** A follower accepts the leader's appends, heartbeats and snapshots, and forwards requests. */
final class FollowerRole implements RoleBehavior {
  private final Raft raft;

  FollowerRole(Raft raft) {
    this.raft = raft;
  }

  @Override
  public void tick() {
    raft.tickElection();
  }

  @Override
  public void step(Message m) {
    switch (m.getType()) {
      case MSG_APP -> {
        heardFromLeader(m);
        raft.handleAppendEntries(m);
      }
      case MSG_HEARTBEAT -> {
        heardFromLeader(m);
        raft.handleHeartbeat(m);
      }
      case MSG_SNAP -> {
        heardFromLeader(m);
        raft.handleSnapshot(m);
      }
      case MSG_TRANSFER_LEADER, MSG_READ_INDEX -> {
        if (raft.leader != 0) {
          raft.send(m.toBuilder().setTo(raft.leader));
        }
      }
      case MSG_TIMEOUT_NOW ->
          // The leader has brought our log up to date and asks us to take over now. Pre-vote is
          // skipped: there is no partition to guard against, the leader itself asked.
          raft.hup(CampaignType.TRANSFER);
      case MSG_READ_INDEX_RESP -> {
        if (m.getEntriesCount() == 1) {
          raft.readStates.add(new ReadState(m.getIndex(), m.getEntries(0).getData()));
        }
      }
      default -> {
        // Proposals are not forwarded (the caller routes writes to the leader); other messages
        // are stale answers meant for an earlier role.
      }
    }
  }

  private void heardFromLeader(Message m) {
    raft.electionElapsed = 0;
    raft.leader = m.getFrom();
  }
}
