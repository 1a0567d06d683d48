package io.strata.server.grpc;

import io.grpc.stub.StreamObserver;
import io.strata.api.etcdserverpb.ClusterGrpc;
import io.strata.api.etcdserverpb.Member;
import io.strata.api.etcdserverpb.MemberListRequest;
import io.strata.api.etcdserverpb.MemberListResponse;
import io.strata.api.serverpb.MemberRecord;
import io.strata.server.member.LocalMember;

/** etcd's Cluster service. Membership changes arrive with multi-member support. */
public final class ClusterService extends ClusterGrpc.ClusterImplBase {
  private final LocalMember member;

  public ClusterService(LocalMember member) {
    this.member = member;
  }

  @Override
  public void memberList(MemberListRequest request, StreamObserver<MemberListResponse> observer) {
    Replies.now(observer, () -> {
      MemberListResponse.Builder response = MemberListResponse.newBuilder()
          // etcd fills no revision in a membership answer: membership is not part of the key space.
          .setHeader(member.header(0));
      for (MemberRecord m : member.membership().members()) {
        response.addMembers(Member.newBuilder()
            .setID(m.getId())
            .setName(m.getName())
            .addAllPeerURLs(m.getPeerUrlsList())
            .addAllClientURLs(m.getClientUrlsList())
            .setIsLearner(m.getIsLearner()));
      }
      return response.build();
    });
  }
}
