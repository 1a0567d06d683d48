package io.strata.server.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.serverpb.MemberChange;
import io.strata.api.serverpb.MemberRecord;
import io.strata.lease.Lessor;
import io.strata.lease.LessorOptions;
import io.strata.mvcc.MvccOptions;
import io.strata.mvcc.MvccStore;
import io.strata.raft.proto.ConfChange;
import io.strata.raft.proto.ConfChangeType;
import io.strata.raft.proto.Entry;
import io.strata.raft.proto.EntryType;
import io.strata.server.cluster.ClusterMembers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConfChangeApplyTest {
  private static final long local = 1;

  private static Entry confChange(long index, ConfChangeType type, long node, MemberChange change) {
    ConfChange cc = ConfChange.newBuilder().setType(type).setNodeId(node).setContext(change.toByteString()).build();
    return Entry.newBuilder().setIndex(index).setTerm(1).setType(EntryType.ENTRY_CONF_CHANGE).setData(cc.toByteString()).build();
  }

  private static MemberChange add(long requestId, long id, String url) {
    return MemberChange.newBuilder().setOriginMemberId(local).setRequestId(requestId)
        .setMember(MemberRecord.newBuilder().setId(id).addPeerUrls(url).setIsLearner(true)).build();
  }

  @Test
  void acceptedChangesReachRaftAndTheMembershipAndRefusedOnesOnlyTheirCaller() throws Exception {
    MvccOptions options = new MvccOptions(64, id -> false);
    ClusterMembers members = new ClusterMembers(9, local,
        List.of(MemberRecord.newBuilder().setId(local).setName("a").addPeerUrls("http://a:2380").build()));
    List<ConfChange> toRaft = new ArrayList<>();
    List<Long> snapshots = new ArrayList<>();
    try (MvccStore store = MvccStore.open(options)) {
      StateMachine state = new StateMachine(store, new Lessor(LessorOptions.defaults()), members, options,
          rev -> { }, () -> 0L, (a, b) -> { });
      PendingRequests pending = new PendingRequests(local, 0);
      ApplyLoop apply = new ApplyLoop(state, local, pending, 0, (index, baseIndex) -> {
        snapshots.add(index);
        return data -> true;
      });
      apply.setConfChangeSink(toRaft::add);
      CompletableFuture<Object> added = pending.register(10);
      CompletableFuture<Object> clash = pending.register(11);
      apply.start();
      try {
        apply.committed(List.of(
            confChange(1, ConfChangeType.ADD_LEARNER_NODE, 4, add(10, 4, "http://d:2380")),
            confChange(2, ConfChangeType.ADD_LEARNER_NODE, 5, add(11, 5, "http://d:2380"))));
        CompletableFuture<Void> applied = new CompletableFuture<>();
        apply.whenApplied(2, () -> applied.complete(null));
        applied.get(10, TimeUnit.SECONDS);
      } finally {
        apply.close();
      }
      assertThat(toRaft).extracting(ConfChange::getNodeId).containsExactly(4L);
      assertThat(members.find(4)).isPresent();
      assertThat(members.find(5)).isEmpty();
      @SuppressWarnings("unchecked")
      List<MemberRecord> after = (List<MemberRecord>) added.get(1, TimeUnit.SECONDS);
      assertThat(after).extracting(MemberRecord::getId).containsExactly(1L, 4L);
      assertThatThrownBy(() -> clash.get(1, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .hasMessageContaining("etcdserver: Peer URLs already exists");
      // Adding a member takes a snapshot at once, so the log can be compacted for the newcomer.
      assertThat(snapshots).containsExactly(2L);
      assertThat(store.consistentIndex()).isEqualTo(2);
    }
  }
}
