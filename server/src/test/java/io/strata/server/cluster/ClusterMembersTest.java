package io.strata.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.api.serverpb.MemberAttributes;
import io.strata.api.serverpb.MemberChange;
import io.strata.api.serverpb.MemberRecord;
import io.strata.raft.proto.ConfChange;
import io.strata.raft.proto.ConfChangeType;
import io.strata.server.raftnode.EtcdServerException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterMembersTest {
  private static MemberRecord member(long id, String name, String peerUrl) {
    return MemberRecord.newBuilder().setId(id).setName(name).addPeerUrls(peerUrl).build();
  }

  private static ClusterMembers threeMembers() {
    return new ClusterMembers(99, 1, List.of(
        member(1, "a", "http://a:2380"), member(2, "b", "http://b:2380"), member(3, "c", "http://c:2380")));
  }

  private static ConfChange cc(ConfChangeType type, long id) {
    return ConfChange.newBuilder().setType(type).setNodeId(id).build();
  }

  private static MemberChange adding(long id, String peerUrl, boolean learner) {
    return MemberChange.newBuilder()
        .setMember(MemberRecord.newBuilder().setId(id).addPeerUrls(peerUrl).setIsLearner(learner)).build();
  }

  private static Optional<String> verdict(ClusterMembers members, ConfChange cc, MemberChange change) {
    return members.validate(cc, change).map(EtcdServerException::getMessage);
  }

  @Test
  void addedLearnerIsUnstartedUntilItPublishesItsAttributes() {
    ClusterMembers members = threeMembers();
    ConfChange add = cc(ConfChangeType.ADD_LEARNER_NODE, 4);
    MemberChange change = adding(4, "http://d:2380", true);
    assertThat(members.validate(add, change)).isEmpty();
    members.apply(add, change);

    MemberRecord added = members.find(4).orElseThrow();
    assertThat(added.getIsLearner()).isTrue();
    assertThat(ClusterMembers.isStarted(added)).isFalse();
    assertThat(members.voterIds()).containsExactly(1L, 2L, 3L);

    members.updateAttributes(MemberAttributes.newBuilder().setMemberId(4).setName("d").addClientUrls("http://d:2379").build());
    assertThat(members.find(4).orElseThrow().getName()).isEqualTo("d");
    assertThat(members.find(4).orElseThrow().getClientUrlsList()).containsExactly("http://d:2379");
  }

  @Test
  void addRefusesAnExistingIdAPeerUrlInUseAndASecondLearner() {
    ClusterMembers members = threeMembers();
    assertThat(verdict(members, cc(ConfChangeType.ADD_NODE, 2), adding(2, "http://x:2380", false)))
        .contains("etcdserver: member ID already exist");
    assertThat(verdict(members, cc(ConfChangeType.ADD_NODE, 5), adding(5, "http://b:2380", false)))
        .contains("etcdserver: Peer URLs already exists");
    members.apply(cc(ConfChangeType.ADD_LEARNER_NODE, 4), adding(4, "http://d:2380", true));
    assertThat(verdict(members, cc(ConfChangeType.ADD_LEARNER_NODE, 5), adding(5, "http://e:2380", true)))
        .contains("etcdserver: too many learner members in cluster");
  }

  @Test
  void promoteAcceptsOnlyALearner() {
    ClusterMembers members = threeMembers();
    members.apply(cc(ConfChangeType.ADD_LEARNER_NODE, 4), adding(4, "http://d:2380", true));
    MemberChange promote = MemberChange.newBuilder().setIsPromote(true).build();
    assertThat(verdict(members, cc(ConfChangeType.ADD_NODE, 2), promote)).contains("etcdserver: can only promote a learner member");
    assertThat(verdict(members, cc(ConfChangeType.ADD_NODE, 7), promote)).contains("etcdserver: member not found");
    assertThat(members.validate(cc(ConfChangeType.ADD_NODE, 4), promote)).isEmpty();
    members.apply(cc(ConfChangeType.ADD_NODE, 4), promote);
    assertThat(members.voterIds()).containsExactly(1L, 2L, 3L, 4L);
    assertThat(members.find(4).orElseThrow().getPeerUrlsList()).containsExactly("http://d:2380");
  }

  @Test
  void removedIdNeverComesBackAndIsReportedAsNotFound() {
    ClusterMembers members = threeMembers();
    members.apply(cc(ConfChangeType.REMOVE_NODE, 3), MemberChange.getDefaultInstance());
    assertThat(members.find(3)).isEmpty();
    assertThat(members.isRemoved(3)).isTrue();
    assertThat(verdict(members, cc(ConfChangeType.REMOVE_NODE, 3), MemberChange.getDefaultInstance()))
        .contains("etcdserver: member not found");
    assertThat(verdict(members, cc(ConfChangeType.ADD_NODE, 3), adding(3, "http://c2:2380", false)))
        .contains("etcdserver: member not found");
    // A removed member's peer URLs are free again.
    assertThat(members.validate(cc(ConfChangeType.ADD_NODE, 8), adding(8, "http://c:2380", false))).isEmpty();
  }

  @Test
  void updateChangesPeerUrlsButNotToAnotherMembersUrls() {
    ClusterMembers members = threeMembers();
    MemberChange clash = adding(2, "http://c:2380", false);
    assertThat(verdict(members, cc(ConfChangeType.UPDATE_NODE, 2), clash)).contains("etcdserver: Peer URLs already exists");
    assertThat(verdict(members, cc(ConfChangeType.UPDATE_NODE, 9), adding(9, "http://z:2380", false)))
        .contains("etcdserver: member not found");
    MemberChange move = adding(2, "http://b2:2380", false);
    assertThat(members.validate(cc(ConfChangeType.UPDATE_NODE, 2), move)).isEmpty();
    members.apply(cc(ConfChangeType.UPDATE_NODE, 2), move);
    assertThat(members.find(2).orElseThrow().getPeerUrlsList()).containsExactly("http://b2:2380");
    assertThat(members.find(2).orElseThrow().getName()).isEqualTo("b");
  }

  @Test
  void strictChecksCountStartedVoters() {
    ClusterMembers members = new ClusterMembers(99, 1, List.of(
        member(1, "a", "http://a:2380"), member(2, "", "http://b:2380"), member(3, "", "http://c:2380")));
    // One started voter of three: adding a fourth would need three started, removing leaves one of two.
    assertThat(members.isReadyToAddVotingMember()).isFalse();
    assertThat(members.isReadyToRemoveVotingMember(1)).isFalse();
    assertThat(members.isReadyToPromoteMember()).isFalse();
    members.updateAttributes(MemberAttributes.newBuilder().setMemberId(2).setName("b").build());
    // Two started of three: a fourth voter would need three started; a learner counts as started.
    assertThat(members.isReadyToAddVotingMember()).isFalse();
    assertThat(members.isReadyToRemoveVotingMember(3)).isTrue();
    assertThat(members.isReadyToPromoteMember()).isTrue();
    members.updateAttributes(MemberAttributes.newBuilder().setMemberId(3).setName("c").build());
    assertThat(members.isReadyToAddVotingMember()).isTrue();
  }

  @Test
  void stateRoundTripKeepsMembersAndRemovedIds() {
    ClusterMembers members = threeMembers();
    members.apply(cc(ConfChangeType.REMOVE_NODE, 3), MemberChange.getDefaultInstance());
    ClusterMembers restored = new ClusterMembers(99, 1, List.of());
    int[] notified = new int[1];
    restored.addListener(m -> notified[0]++);
    restored.restore(members.toState());
    assertThat(restored.members()).isEqualTo(members.members());
    assertThat(restored.isRemoved(3)).isTrue();
    assertThat(notified[0]).isEqualTo(1);
  }

  @Test
  void joiningMemberMatchesFoundingAndAddedPeersByTheirIds() {
    List<String> aUrls = List.of("http://a:2380");
    List<String> dUrls = List.of("http://d:2380");
    long a = MemberIds.memberId(aUrls, "tok");
    long d = MemberIds.addedMemberId(dUrls, 1_000_000 - 3600);
    var found = JoinDiscovery.matchPeers(java.util.Set.of(a, d, 12345L), "e",
        java.util.Map.of("a", aUrls, "d", dUrls, "e", List.of("http://e:2380")), "tok", 1_000_000);
    assertThat(found).containsEntry(a, aUrls).containsEntry(d, dUrls).hasSize(2);
  }

  @Test
  void joiningMemberPairsTheOneCallerAndEntryLeftOver() {
    List<String> moved = List.of("http://localhost:2380");
    long b = MemberIds.memberId(List.of("http://127.0.0.1:2380"), "tok");
    var found = JoinDiscovery.matchPeers(java.util.Set.of(b), "e",
        java.util.Map.of("b", moved, "e", List.of("http://e:2380")), "tok", 1_000_000);
    assertThat(found).containsExactly(java.util.Map.entry(b, moved));
  }
}
