package io.strata.raft;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.strata.raft.proto.MessageType;
import org.junit.jupiter.api.Test;

/** Catching up a member whose missing entries were compacted (Raft paper section 7). */
class SnapshotTest {

  private static void snapshotAndCompact(TestCluster c, long id) {
    RaftStatus s = c.node(id).status();
    c.member(id).storage.createSnapshot(s.applied(), s.confState(), ByteString.copyFromUtf8("state@" + s.applied()));
    c.member(id).storage.compact(s.applied());
  }

  @Test
  void laggingFollowerIsCaughtUpWithSnapshot() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.isolate(3);
    c.propose(1, "a", "b");
    c.propose(1, "c");
    snapshotAndCompact(c, 1);
    c.heal();
    c.tickAll(3);
    assertThat(c.delivered).anyMatch(m -> m.getType() == MessageType.MSG_SNAP && m.getTo() == 3);
    assertThat(c.member(3).storage.snapshot().getData().toStringUtf8()).isEqualTo("state@4");
    assertThat(c.node(3).status().applied()).isEqualTo(4);
    c.propose(1, "d");
    c.tickAll(1);
    assertThat(c.member(3).appliedData()).containsExactly(ByteString.copyFromUtf8("d"));
    assertThat(c.node(1).status().progress().get(3L).state()).isEqualTo(ProgressState.REPLICATE);
  }

  @Test
  void failedSnapshotIsRetried() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.isolate(3);
    c.propose(1, "a");
    snapshotAndCompact(c, 1);
    c.heal();
    c.dropIf(m -> m.getType() == MessageType.MSG_SNAP);
    c.tickAll(3);
    assertThat(c.node(1).status().progress().get(3L).state()).isNotEqualTo(ProgressState.REPLICATE);
    c.heal();
    c.tickAll(3);
    assertThat(c.node(3).status().applied()).isEqualTo(c.node(1).status().applied());
  }
}
