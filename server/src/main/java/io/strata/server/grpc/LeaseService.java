package io.strata.server.grpc;

import io.grpc.stub.StreamObserver;
import io.strata.api.etcdserverpb.LeaseGrantRequest;
import io.strata.api.etcdserverpb.LeaseGrantResponse;
import io.strata.api.etcdserverpb.LeaseGrpc;
import io.strata.api.etcdserverpb.LeaseKeepAliveRequest;
import io.strata.api.etcdserverpb.LeaseKeepAliveResponse;
import io.strata.api.etcdserverpb.LeaseLeasesRequest;
import io.strata.api.etcdserverpb.LeaseLeasesResponse;
import io.strata.api.etcdserverpb.LeaseRevokeRequest;
import io.strata.api.etcdserverpb.LeaseRevokeResponse;
import io.strata.api.etcdserverpb.LeaseStatus;
import io.strata.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.strata.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.strata.api.serverpb.InternalRequest;
import io.strata.lease.LeaseException;
import io.strata.server.member.LocalMember;
import io.strata.server.member.Monotonic;

/**
 * etcd's Lease service. Grants and revokes are replicated through Raft; keep-alives renew on
 * the leader's lessor only, because expiry is the leader's decision alone.
 */
public final class LeaseService extends LeaseGrpc.LeaseImplBase {
  private final LocalMember member;
  private final LeaderLeaseClient leader;

  public LeaseService(LocalMember member, java.time.Duration forwardTimeout) {
    this.member = member;
    this.leader = new LeaderLeaseClient(forwardTimeout);
  }

  /** The leader's client URL when another member leads; empty when this one does or none is known. */
  private java.util.Optional<String> leaderUrl() {
    long leaderId = member.leaderId();
    if (leaderId == 0 || leaderId == member.memberId()) {
      return java.util.Optional.empty();
    }
    return member.membership().find(leaderId).flatMap(m -> m.getClientUrlsList().stream().findFirst());
  }

  @Override
  public void leaseGrant(LeaseGrantRequest request, StreamObserver<LeaseGrantResponse> observer) {
    LeaseGrantRequest.Builder grant = request.toBuilder();
    // The id is chosen before proposing, so that every member applies the same one.
    while (grant.getID() == 0) {
      grant.setID(member.newLeaseId());
    }
    Replies.later(observer, member.write(InternalRequest.newBuilder().setLeaseGrant(grant)),
        r -> ((LeaseGrantResponse) r).toBuilder().setHeader(member.header(((LeaseGrantResponse) r).getHeader())).build());
  }

  @Override
  public void leaseRevoke(LeaseRevokeRequest request, StreamObserver<LeaseRevokeResponse> observer) {
    Replies.later(observer, member.write(InternalRequest.newBuilder().setLeaseRevoke(request)),
        r -> ((LeaseRevokeResponse) r).toBuilder().setHeader(member.header(((LeaseRevokeResponse) r).getHeader())).build());
  }

  @Override
  public StreamObserver<LeaseKeepAliveRequest> leaseKeepAlive(StreamObserver<LeaseKeepAliveResponse> responses) {
    return new StreamObserver<>() {
      @Override
      public void onNext(LeaseKeepAliveRequest request) {
        if (!member.lessor().isPrimary()) {
          forward(request);
          return;
        }
        long ttl;
        try {
          ttl = member.lessor().renew(request.getID(), Monotonic.millis());
        } catch (LeaseException e) {
          // etcd answers a keep-alive of an unknown or expired lease with TTL 0, not an error.
          ttl = switch (e.error()) {
            case NOT_FOUND, EXPIRED -> 0;
            default -> {
              responses.onError(GrpcErrors.toStatus(e));
              yield -1;
            }
          };
          if (ttl < 0) {
            return;
          }
        }
        synchronized (responses) {
          responses.onNext(LeaseKeepAliveResponse.newBuilder()
              .setHeader(member.header(member.store().currentRevision()))
              .setID(request.getID())
              .setTTL(ttl)
              .build());
        }
      }

      /** Only the leader's lessor renews; a follower relays the keep-alive to it. */
      private void forward(LeaseKeepAliveRequest request) {
        java.util.Optional<String> url = leaderUrl();
        if (url.isEmpty()) {
          synchronized (responses) {
            responses.onError(GrpcErrors.toStatus(io.strata.server.raftnode.EtcdServerException.noLeader()));
          }
          return;
        }
        leader.keepAlive(url.get(), request.getID()).whenComplete((response, failure) -> {
          synchronized (responses) {
            if (failure != null) {
              responses.onError(GrpcErrors.toStatus(failure));
            } else {
              responses.onNext(response.toBuilder().setHeader(member.header(member.store().currentRevision())).build());
            }
          }
        });
      }

      @Override
      public void onError(Throwable t) {
        // The client went away; nothing is held for it.
      }

      @Override
      public void onCompleted() {
        synchronized (responses) {
          responses.onCompleted();
        }
      }
    };
  }

  @Override
  public void leaseTimeToLive(LeaseTimeToLiveRequest request, StreamObserver<LeaseTimeToLiveResponse> observer) {
    // Remaining TTLs are known only to the leader's lessor, so a follower asks the leader.
    java.util.Optional<String> url = member.lessor().isPrimary() ? java.util.Optional.empty() : leaderUrl();
    if (url.isPresent()) {
      Replies.later(observer, leader.timeToLive(url.get(), request), r -> r);
      return;
    }
    Replies.later(observer, member.linearizableRead(() -> {
      LeaseTimeToLiveResponse.Builder response = LeaseTimeToLiveResponse.newBuilder()
          .setHeader(member.header(member.store().currentRevision()))
          .setID(request.getID());
      var status = member.lessor().timeToLive(request.getID(), Monotonic.millis(), false);
      if (status.isEmpty()) {
        return response.setTTL(-1).build();
      }
      response.setTTL(status.get().remainingTtlSeconds()).setGrantedTTL(status.get().grantedTtlSeconds());
      if (request.getKeys()) {
        response.addAllKeys(member.store().keysWithLease(request.getID()));
      }
      return response.build();
    }), r -> r);
  }

  @Override
  public void leaseLeases(LeaseLeasesRequest request, StreamObserver<LeaseLeasesResponse> observer) {
    Replies.later(observer, member.linearizableRead(() -> {
      LeaseLeasesResponse.Builder response = LeaseLeasesResponse.newBuilder()
          .setHeader(member.header(member.store().currentRevision()));
      for (long id : member.lessor().leases()) {
        response.addLeases(LeaseStatus.newBuilder().setID(id));
      }
      return response.build();
    }), r -> r);
  }
}
