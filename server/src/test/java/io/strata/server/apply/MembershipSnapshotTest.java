package io.strata.server.apply;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.strata.api.etcdserverpb.PutRequest;
import io.strata.api.serverpb.InternalRequest;
import io.strata.api.serverpb.MemberAttributes;
import io.strata.api.serverpb.MemberChange;
import io.strata.api.serverpb.MemberRecord;
import io.strata.lease.Lessor;
import io.strata.lease.LessorOptions;
import io.strata.mvcc.MvccOptions;
import io.strata.mvcc.MvccStore;
import io.strata.raft.proto.ConfChange;
import io.strata.raft.proto.ConfChangeType;
import io.strata.server.cluster.ClusterMembers;
import java.util.List;
import org.junit.jupiter.api.Test;

class MembershipSnapshotTest {
  private static ClusterMembers members() {
    return new ClusterMembers(7, 1, List.of(
        MemberRecord.newBuilder().setId(1).setName("a").addPeerUrls("http://a:2380").build(),
        MemberRecord.newBuilder().setId(2).setName("b").addPeerUrls("http://b:2380").build()));
  }

  @Test
  void snapshotCarriesTheMembershipAndRestoresItInPlace() throws Exception {
    MvccOptions options = new MvccOptions(64, id -> false);
    Lessor lessor = new Lessor(LessorOptions.defaults());
    ClusterMembers members = members();
    try (MvccStore store = MvccStore.open(options)) {
      StateMachine state = new StateMachine(store, lessor, members, options, rev -> { }, () -> 0L, (a, b) -> { });
      state.apply(InternalRequest.newBuilder().setPut(PutRequest.newBuilder()
          .setKey(ByteString.copyFromUtf8("k")).setValue(ByteString.copyFromUtf8("v"))).build());
      members.apply(ConfChange.newBuilder().setType(ConfChangeType.ADD_LEARNER_NODE).setNodeId(3).build(),
          MemberChange.newBuilder().setMember(MemberRecord.newBuilder().setId(3).addPeerUrls("http://c:2380")
              .setIsLearner(true)).build());
      state.apply(InternalRequest.newBuilder().setMemberAttributes(MemberAttributes.newBuilder()
          .setMemberId(3).setName("c").addClientUrls("http://c:2379")).build());
      members.apply(ConfChange.newBuilder().setType(ConfChangeType.REMOVE_NODE).setNodeId(2).build(),
          MemberChange.getDefaultInstance());

      ByteString.Output out = ByteString.newOutput();
      StateSnapshot.write(store, lessor, members, out);

      ClusterMembers restored = members();
      try (MvccStore copy = StateSnapshot.read(out.toByteString().newInput(), options,
          new Lessor(LessorOptions.defaults()), restored, 0L)) {
        assertThat(copy.currentRevision()).isEqualTo(store.currentRevision());
      }
      assertThat(restored.members()).isEqualTo(members.members());
      assertThat(restored.find(3).orElseThrow().getClientUrlsList()).containsExactly("http://c:2379");
      assertThat(restored.isRemoved(2)).isTrue();
    }
  }

  @Test
  void aSnapshotWithoutMembershipLeavesTheMembershipAsItWas() throws Exception {
    MvccOptions options = new MvccOptions(64, id -> false);
    Lessor lessor = new Lessor(LessorOptions.defaults());
    try (MvccStore store = MvccStore.open(options)) {
      ByteString.Output out = ByteString.newOutput();
      StateSnapshot.write(store, lessor, out);
      ClusterMembers untouched = members();
      List<MemberRecord> before = untouched.members();
      try (MvccStore copy = StateSnapshot.read(out.toByteString().newInput(), options,
          new Lessor(LessorOptions.defaults()), untouched, 0L)) {
        assertThat(copy.currentRevision()).isEqualTo(store.currentRevision());
      }
      assertThat(untouched.members()).isEqualTo(before);
    }
  }
}
