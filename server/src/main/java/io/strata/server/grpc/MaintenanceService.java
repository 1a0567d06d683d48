package io.strata.server.grpc;

import io.grpc.stub.StreamObserver;
import io.strata.api.etcdserverpb.AlarmRequest;
import io.strata.api.etcdserverpb.AlarmResponse;
import io.strata.api.etcdserverpb.DefragmentRequest;
import io.strata.api.etcdserverpb.DefragmentResponse;
import io.strata.api.etcdserverpb.MaintenanceGrpc;
import io.strata.api.etcdserverpb.MoveLeaderRequest;
import io.strata.api.etcdserverpb.MoveLeaderResponse;
import io.strata.api.etcdserverpb.StatusRequest;
import io.strata.api.etcdserverpb.StatusResponse;
import io.strata.server.Versions;
import io.strata.server.member.LocalMember;

/**
 * etcd's Maintenance service. {@code Status.version} is the etcd version whose API Strata
 * serves: Kubernetes turns features on from it.
 */
public final class MaintenanceService extends MaintenanceGrpc.MaintenanceImplBase {
  private final LocalMember member;

  public MaintenanceService(LocalMember member) {
    this.member = member;
  }

  @Override
  public void status(StatusRequest request, StreamObserver<StatusResponse> observer) {
    Replies.now(observer, () -> {
      StatusResponse.Builder status = StatusResponse.newBuilder()
          .setHeader(member.header(member.store().currentRevision()))
          .setVersion(Versions.ETCD_API_VERSION)
          .setDbSize(member.store().sizeBytes())
          .setDbSizeInUse(member.store().sizeInUseBytes())
          .setLeader(member.leaderId())
          .setRaftIndex(member.commitIndex())
          .setRaftTerm(member.term())
          .setRaftAppliedIndex(member.appliedIndex())
          .setIsLearner(member.isLearner());
      if (member.leaderId() == 0) {
        status.addErrors("etcdserver: no leader");
      }
      return status.build();
    });
  }

  /** etcd's MoveLeader: asked of the leader, answered once the target leads. */
  @Override
  public void moveLeader(MoveLeaderRequest request, StreamObserver<MoveLeaderResponse> observer) {
    Replies.later(observer, member.moveLeader(request.getTargetID()),
        v -> MoveLeaderResponse.newBuilder().setHeader(member.header(member.store().currentRevision())).build());
  }

  @Override
  public void alarm(AlarmRequest request, StreamObserver<AlarmResponse> observer) {
    // No alarm can be raised yet (the space quota arrives with its own change), so every
    // action sees an empty alarm list, which is what etcd answers on a healthy cluster.
    Replies.now(observer, () -> AlarmResponse.newBuilder()
        .setHeader(member.header(member.store().currentRevision()))
        .build());
  }

  @Override
  public void defragment(DefragmentRequest request, StreamObserver<DefragmentResponse> observer) {
    // The revision store is rebuilt in memory on every start and frees space on compaction, so
    // there is nothing to defragment; etcdctl still expects a successful answer.
    Replies.now(observer, () -> DefragmentResponse.newBuilder()
        .setHeader(member.header(member.store().currentRevision()))
        .build());
  }
}
