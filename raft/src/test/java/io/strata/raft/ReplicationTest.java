package io.strata.raft;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.strata.raft.proto.Entry;
import io.strata.raft.proto.Message;
import io.strata.raft.proto.MessageType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Log replication and commitment, named after the Raft paper's rules (sections 5.3 and 5.4). */
class ReplicationTest {

  @Test
  void singleVoterCommitsProposalWithoutPeers() {
    MemoryRaftStorage storage = new MemoryRaftStorage();
    storage.applySnapshot(io.strata.raft.proto.Snapshot.newBuilder()
        .setMetadata(io.strata.raft.proto.SnapshotMetadata.newBuilder()
            .setConfState(io.strata.raft.proto.ConfState.newBuilder().addVoters(7))).build());
    RaftNode node = new RaftNode(new RaftConfig(7, 10, 1, 1 << 20, 64, true, true, 0), storage, new Random(1));
    node.campaign();
    // Alone, its own vote must be durable before it leads.
    assertThat(node.status().role()).isEqualTo(RaftRole.CANDIDATE);
    Ready vote = node.ready();
    assertThat(vote.hardState().getVote()).isEqualTo(7);
    assertThat(vote.entries()).isEmpty();
    storage.setHardState(vote.hardState());
    node.advance(vote);
    assertThat(node.status().role()).isEqualTo(RaftRole.LEADER);
    Ready first = node.ready();
    assertThat(first.softState()).isEqualTo(new SoftState(7, RaftRole.LEADER));
    assertThat(first.entries()).singleElement().satisfies(e -> assertThat(e.getData()).isEmpty());
    storage.setHardState(first.hardState());
    storage.append(first.entries());
    node.advance(first);

    assertThat(node.propose(List.of(ByteString.copyFromUtf8("x")))).isTrue();
    List<Entry> persisted = new ArrayList<>();
    List<Entry> committed = new ArrayList<>();
    while (node.hasReady()) {
      Ready rd = node.ready();
      assertThat(rd.messages()).isEmpty();
      if (rd.hardState() != null) {
        storage.setHardState(rd.hardState());
      }
      storage.append(rd.entries());
      persisted.addAll(rd.entries());
      committed.addAll(rd.committedEntries());
      node.advance(rd);
    }
    assertThat(persisted).extracting(Entry::getData).contains(ByteString.copyFromUtf8("x"));
    assertThat(committed).extracting(Entry::getData).contains(ByteString.copyFromUtf8("x"));
    assertThat(node.status().commit()).isEqualTo(2);
    assertThat(node.status().applied()).isEqualTo(2);
    assertThat(storage.hardState().getCommit()).isEqualTo(2);
  }

  @Test
  void leaderAppendsEmptyEntryOnElection() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    for (TestCluster.Member m : c.members.values()) {
      assertThat(m.applied).singleElement().satisfies(e -> {
        assertThat(e.getTerm()).isEqualTo(1);
        assertThat(e.getData()).isEmpty();
      });
    }
  }

  @Test
  void entryIsCommittedOnceReplicatedOnMajority() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.isolate(3);
    c.propose(1, "a");
    assertThat(c.member(1).appliedData()).containsExactly(ByteString.copyFromUtf8("a"));
    assertThat(c.member(2).appliedData()).containsExactly(ByteString.copyFromUtf8("a"));
    c.heal();
    c.tickAll(2);
    assertThat(c.member(3).appliedData()).containsExactly(ByteString.copyFromUtf8("a"));
  }

  @Test
  void entryIsNotCommittedWithoutMajority() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.isolate(2);
    c.isolate(3);
    c.propose(1, "a");
    assertThat(c.member(1).appliedData()).isEmpty();
    assertThat(c.node(1).status().lastIndex()).isEqualTo(2);
    assertThat(c.node(1).status().commit()).isEqualTo(1);
  }

  @Test
  void followerReturnsFalseFromPropose() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    assertThat(c.node(2).propose(TestCluster.bytes("x"))).isFalse();
  }

  @Test
  void leaderCommitsOnlyEntriesFromItsOwnTermByCounting() {
    // Node 1 holds entries of terms 1 and 2 and becomes leader of term 3. A majority holding the
    // term-2 entry does not commit it; only the term-3 entry, once on a majority, commits both.
    TestCluster.Solo leader = TestCluster.standalone(1, List.of(1L, 2L, 3L), 2, 1, 2);
    leader.node.campaign();
    leader.node.step(voteResponse(2, 3));
    assertThat(leader.node.status().role()).isEqualTo(RaftRole.LEADER);
    assertThat(leader.node.status().lastIndex()).isEqualTo(3);
    leader.drain();

    leader.node.step(appendResponse(2, 3, 2));
    assertThat(leader.node.status().commit()).isZero();
    leader.node.step(appendResponse(2, 3, 3));
    assertThat(leader.node.status().commit()).isEqualTo(3);
  }

  @Test
  void followerRejectsAppendWithMismatchedPrevTerm() {
    TestCluster.Solo follower = TestCluster.standalone(2, List.of(1L, 2L, 3L), 1, 1, 1);
    follower.node.step(Message.newBuilder().setType(MessageType.MSG_APP).setFrom(1).setTo(2).setTerm(2)
        .setIndex(2).setLogTerm(2).addEntries(Entry.newBuilder().setIndex(3).setTerm(2)).build());
    assertThat(follower.drain()).singleElement().satisfies(m -> {
      assertThat(m.getType()).isEqualTo(MessageType.MSG_APP_RESP);
      assertThat(m.getReject()).isTrue();
      assertThat(m.getIndex()).isEqualTo(2);
      // Both entries have term 1 <= 2: the leader may probe at index 2 with term 1.
      assertThat(m.getRejectHint()).isEqualTo(2);
      assertThat(m.getLogTerm()).isEqualTo(1);
    });
    assertThat(follower.node.status().lastIndex()).isEqualTo(2);
  }

  @Test
  void followerRejectsAppendBeyondItsLog() {
    TestCluster.Solo follower = TestCluster.standalone(2, List.of(1L, 2L, 3L), 1, 1);
    follower.node.step(Message.newBuilder().setType(MessageType.MSG_APP).setFrom(1).setTo(2).setTerm(2)
        .setIndex(5).setLogTerm(2).build());
    assertThat(follower.drain()).singleElement().satisfies(m -> {
      assertThat(m.getReject()).isTrue();
      assertThat(m.getRejectHint()).isEqualTo(1);
    });
  }

  @Test
  void followerDeletesConflictingEntriesAndAppendsLeaders() {
    TestCluster.Solo follower = TestCluster.standalone(2, List.of(1L, 2L, 3L), 2, 1, 2, 2);
    follower.node.step(Message.newBuilder().setType(MessageType.MSG_APP).setFrom(1).setTo(2).setTerm(3)
        .setIndex(1).setLogTerm(1).addEntries(Entry.newBuilder().setIndex(2).setTerm(3)).setCommit(2).build());
    Ready rd = follower.node.ready();
    assertThat(rd.entries()).extracting(Entry::getIndex, Entry::getTerm)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(2L, 3L));
    // Only what is durable here is applied: the new entry 2 once this Ready's write is done.
    assertThat(rd.committedEntries()).extracting(Entry::getTerm).containsExactly(1L);
    assertThat(rd.messages()).singleElement().satisfies(m -> {
      assertThat(m.getReject()).isFalse();
      assertThat(m.getIndex()).isEqualTo(2);
    });
    assertThat(follower.node.status().lastIndex()).isEqualTo(2);
    follower.storage.append(rd.entries());
    follower.node.advance(rd);
    assertThat(follower.node.status().lastIndex()).isEqualTo(2);
    assertThat(follower.storage.lastIndex()).isEqualTo(2);
    assertThat(follower.node.ready().committedEntries()).extracting(Entry::getIndex, Entry::getTerm)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(2L, 3L));
  }

  @Test
  void leaderBringsDivergentFollowerLogInLine() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.isolate(2);
    c.isolate(3);
    c.propose(1, "lost1", "lost2", "lost3"); // never committed
    c.heal();
    c.isolate(1);
    c.elect(2);
    c.propose(2, "kept");
    c.heal();
    c.tickAll(3);
    for (TestCluster.Member m : c.members.values()) {
      assertThat(m.appliedData()).containsExactly(ByteString.copyFromUtf8("kept"));
      assertThat(m.node.status().lastIndex()).isEqualTo(c.node(2).status().lastIndex());
    }
  }

  @Test
  void heartbeatCarriesCommitToFollowers() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.propose(1, "a");
    c.tickAll(1);
    for (TestCluster.Member m : c.members.values()) {
      assertThat(m.node.status().commit()).isEqualTo(2);
    }
  }

  @Test
  void logsMatchAcrossMembersAfterManyProposals() {
    TestCluster c = TestCluster.ofVoters(5);
    c.elect(1);
    for (int i = 0; i < 50; i++) {
      c.propose(1, "v" + i);
    }
    c.tickAll(2);
    List<ByteString> expected = c.member(1).appliedData();
    assertThat(expected).hasSize(50);
    for (TestCluster.Member m : c.members.values()) {
      assertThat(m.appliedData()).isEqualTo(expected);
    }
  }

  static Message voteResponse(long from, long term) {
    return Message.newBuilder().setType(MessageType.MSG_VOTE_RESP).setFrom(from).setTo(1).setTerm(term).build();
  }

  static Message appendResponse(long from, long term, long index) {
    return Message.newBuilder().setType(MessageType.MSG_APP_RESP).setFrom(from).setTo(1).setTerm(term)
        .setIndex(index).build();
  }
}
