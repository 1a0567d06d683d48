package io.strata.raft;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.strata.raft.proto.ConfState;
import io.strata.raft.proto.Message;
import io.strata.raft.proto.MessageType;
import io.strata.raft.proto.Snapshot;
import io.strata.raft.proto.SnapshotMetadata;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Per-follower pacing: probing, optimistic replication, and the in-flight window. */
class FlowControlTest {

  private static MemoryRaftStorage bootstrapped(long... voters) {
    MemoryRaftStorage storage = new MemoryRaftStorage();
    ConfState.Builder cs = ConfState.newBuilder();
    for (long v : voters) {
      cs.addVoters(v);
    }
    storage.applySnapshot(Snapshot.newBuilder().setMetadata(SnapshotMetadata.newBuilder().setConfState(cs)).build());
    return storage;
  }

  /** A leader of {1, 2} whose follower 2 has acknowledged the election entry. */
  private static TestCluster.Solo replicatingLeader(RaftConfig config) {
    MemoryRaftStorage storage = bootstrapped(1, 2);
    TestCluster.Solo leader = new TestCluster.Solo(new RaftNode(config, storage, new Random(1)), storage);
    leader.node.campaign();
    leader.node.step(Message.newBuilder().setType(MessageType.MSG_VOTE_RESP).setFrom(2).setTo(1).setTerm(1).build());
    leader.drain();
    leader.node.step(Message.newBuilder().setType(MessageType.MSG_APP_RESP).setFrom(2).setTo(1).setTerm(1).setIndex(1).build());
    leader.drain();
    assertThat(leader.node.status().progress().get(2L).state()).isEqualTo(ProgressState.REPLICATE);
    return leader;
  }

  private static long appendsTo(List<Message> out, long to) {
    return out.stream().filter(m -> m.getType() == MessageType.MSG_APP && m.getTo() == to).count();
  }

  @Test
  void replicatingLeaderStopsAtTheInflightCountLimit() {
    TestCluster.Solo leader = replicatingLeader(new RaftConfig(1, 10, 1, 1 << 20, 3, false, false, 0));
    long sent = 0;
    for (int i = 0; i < 10; i++) {
      leader.node.propose(List.of(ByteString.copyFromUtf8("p" + i)));
      sent += appendsTo(leader.drain(), 2);
    }
    assertThat(sent).isEqualTo(3);
    assertThat(leader.node.status().progress().get(2L).inflightMsgs()).isEqualTo(3);
    // An acknowledgement opens the window and the backlog goes out in one message.
    leader.node.step(Message.newBuilder().setType(MessageType.MSG_APP_RESP).setFrom(2).setTo(1).setTerm(1).setIndex(4).build());
    List<Message> out = leader.drain();
    assertThat(appendsTo(out, 2)).isEqualTo(1);
    assertThat(out.stream().filter(m -> m.getType() == MessageType.MSG_APP).findFirst().orElseThrow().getEntriesCount())
        .isEqualTo(7);
  }

  @Test
  void replicatingLeaderStopsAtTheInflightByteLimit() {
    ByteString payload = ByteString.copyFrom(new byte[1000]);
    TestCluster.Solo leader = replicatingLeader(new RaftConfig(1, 10, 1, 1 << 20, 100, false, false, 0, 2500));
    long sent = 0;
    for (int i = 0; i < 10; i++) {
      leader.node.propose(List.of(payload));
      sent += appendsTo(leader.drain(), 2);
    }
    assertThat(sent).isEqualTo(3);
  }

  @Test
  void probingLeaderSendsOneAppendUntilAnswered() {
    TestCluster.Solo leader = replicatingLeader(new RaftConfig(1, 10, 1, 1 << 20, 64, false, false, 0));
    leader.node.reportUnreachable(2);
    assertThat(leader.node.status().progress().get(2L).state()).isEqualTo(ProgressState.PROBE);
    long sent = 0;
    for (int i = 0; i < 5; i++) {
      leader.node.propose(List.of(ByteString.copyFromUtf8("p" + i)));
      sent += appendsTo(leader.drain(), 2);
    }
    assertThat(sent).isEqualTo(1);
  }

  @Test
  void appendMessagesRespectMaxSizePerMsg() {
    TestCluster.Solo leader = replicatingLeader(new RaftConfig(1, 10, 1, 1500, 64, false, false, 0));
    leader.node.reportUnreachable(2);
    ByteString payload = ByteString.copyFrom(new byte[1000]);
    for (int i = 0; i < 4; i++) {
      leader.node.propose(List.of(payload));
    }
    leader.drain();
    // The answered probe switches the follower to replication: one 1000-byte entry per message.
    leader.node.step(Message.newBuilder().setType(MessageType.MSG_APP_RESP).setFrom(2).setTo(1).setTerm(1).setIndex(2).build());
    List<Message> out = leader.drain();
    assertThat(out).filteredOn(m -> m.getType() == MessageType.MSG_APP).allMatch(m -> m.getEntriesCount() == 1);
    assertThat(appendsTo(out, 2)).isGreaterThan(1);
  }
}
