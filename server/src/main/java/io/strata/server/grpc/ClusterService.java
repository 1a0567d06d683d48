package io.strata.server.grpc;

import io.grpc.stub.StreamObserver;
import io.strata.api.etcdserverpb.ClusterGrpc;
import io.strata.api.etcdserverpb.Member;
import io.strata.api.etcdserverpb.MemberAddRequest;
import io.strata.api.etcdserverpb.MemberAddResponse;
import io.strata.api.etcdserverpb.MemberListRequest;
import io.strata.api.etcdserverpb.MemberListResponse;
import io.strata.api.etcdserverpb.MemberPromoteRequest;
import io.strata.api.etcdserverpb.MemberPromoteResponse;
import io.strata.api.etcdserverpb.MemberRemoveRequest;
import io.strata.api.etcdserverpb.MemberRemoveResponse;
import io.strata.api.etcdserverpb.MemberUpdateRequest;
import io.strata.api.etcdserverpb.MemberUpdateResponse;
import io.strata.api.etcdserverpb.ResponseHeader;
import io.strata.api.serverpb.MemberRecord;
import io.strata.server.member.LocalMember;
import java.util.List;

/** etcd's Cluster service: membership changes go through Raft, the list is the applied one. */
public final class ClusterService extends ClusterGrpc.ClusterImplBase {
  private final LocalMember member;

  public ClusterService(LocalMember member) {
    this.member = member;
  }

  @Override
  public void memberAdd(MemberAddRequest request, StreamObserver<MemberAddResponse> observer) {
    Replies.later(observer, member.addMember(request.getPeerURLsList(), request.getIsLearner()),
        added -> MemberAddResponse.newBuilder()
            .setHeader(header())
            // etcd answers with the new member as proposed: no name and no client URLs yet.
            .setMember(Member.newBuilder()
                .setID(added.member().getId())
                .addAllPeerURLs(added.member().getPeerUrlsList())
                .setIsLearner(added.member().getIsLearner()))
            .addAllMembers(toMembers(added.members()))
            .build());
  }

  @Override
  public void memberRemove(MemberRemoveRequest request, StreamObserver<MemberRemoveResponse> observer) {
    Replies.later(observer, member.removeMember(request.getID()),
        list -> MemberRemoveResponse.newBuilder().setHeader(header()).addAllMembers(toMembers(list)).build());
  }

  @Override
  public void memberUpdate(MemberUpdateRequest request, StreamObserver<MemberUpdateResponse> observer) {
    Replies.later(observer, member.updateMember(request.getID(), request.getPeerURLsList()),
        list -> MemberUpdateResponse.newBuilder().setHeader(header()).addAllMembers(toMembers(list)).build());
  }

  @Override
  public void memberPromote(MemberPromoteRequest request, StreamObserver<MemberPromoteResponse> observer) {
    Replies.later(observer, member.promoteMember(request.getID()),
        list -> MemberPromoteResponse.newBuilder().setHeader(header()).addAllMembers(toMembers(list)).build());
  }

  @Override
  public void memberList(MemberListRequest request, StreamObserver<MemberListResponse> observer) {
    Replies.later(observer, member.listMembers(request.getLinearizable()),
        list -> MemberListResponse.newBuilder().setHeader(header()).addAllMembers(toMembers(list)).build());
  }

  /** etcd 3.5 fills no revision in a membership answer: membership is not part of the key space. */
  private ResponseHeader header() {
    return member.header(0);
  }

  private static List<Member> toMembers(List<MemberRecord> records) {
    return records.stream().map(m -> Member.newBuilder()
        .setID(m.getId())
        .setName(m.getName())
        .addAllPeerURLs(m.getPeerUrlsList())
        .addAllClientURLs(m.getClientUrlsList())
        .setIsLearner(m.getIsLearner())
        .build()).toList();
  }
}
