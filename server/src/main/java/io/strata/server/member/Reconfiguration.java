package io.strata.server.member;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.strata.api.etcdserverpb.ClusterGrpc;
import io.strata.api.etcdserverpb.MemberPromoteRequest;
import io.strata.api.serverpb.MemberChange;
import io.strata.api.serverpb.MemberRecord;
import io.strata.raft.PeerProgress;
import io.strata.raft.RaftStatus;
import io.strata.raft.proto.ConfChange;
import io.strata.raft.proto.ConfChangeType;
import io.strata.server.apply.PendingRequests;
import io.strata.server.cluster.ClusterMembers;
import io.strata.server.cluster.MemberIds;
import io.strata.server.raftnode.EtcdServerException;
import io.strata.server.raftnode.RaftLoop;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Membership changes and leadership moves as etcd's server makes them: the strict
 * reconfiguration checks run on the member that receives the request, then the change goes
 * through Raft as a conf-change entry whose context is the member record, and the caller gets
 * the membership as applied.
 */
final class Reconfiguration {
  /** etcd promotes a learner only once its log matches at least this share of the leader's. */
  static final double learnerReadyShare = 0.9;
  /** How often a leadership move looks whether the target has taken over. */
  static final long moveLeaderPollMillis = 10;

  /** A member added, with the membership right after. */
  record Added(MemberRecord member, List<MemberRecord> members) {}

  private final ClusterMembers members;
  private final RaftLoop raft;
  private final PeerActivity peers;
  private final PendingRequests pending;
  private final Duration requestTimeout;
  private final Executor waits;

  Reconfiguration(ClusterMembers members, RaftLoop raft, PeerActivity peers, PendingRequests pending,
      Duration requestTimeout, Executor waits) {
    this.members = members;
    this.raft = raft;
    this.peers = peers;
    this.pending = pending;
    this.requestTimeout = requestTimeout;
    this.waits = waits;
  }

  CompletableFuture<Added> add(List<String> peerUrls, boolean learner) {
    for (String u : peerUrls) {
      if (!validUrl(u)) {
        return CompletableFuture.failedFuture(EtcdServerException.memberBadUrls());
      }
    }
    if (!learner && !members.isReadyToAddVotingMember()) {
      return CompletableFuture.failedFuture(EtcdServerException.notEnoughStartedMembers());
    }
    if (!allVotersConnected()) {
      return CompletableFuture.failedFuture(EtcdServerException.unhealthy());
    }
    long id = MemberIds.addedMemberId(peerUrls, System.currentTimeMillis() / 1000);
    MemberRecord member = MemberRecord.newBuilder().setId(id).addAllPeerUrls(peerUrls).setIsLearner(learner).build();
    return propose(learner ? ConfChangeType.ADD_LEARNER_NODE : ConfChangeType.ADD_NODE, id,
        MemberChange.newBuilder().setMember(member))
        .thenApply(list -> new Added(member, list));
  }

  CompletableFuture<List<MemberRecord>> remove(long id) {
    MemberRecord m = members.find(id).orElse(null);
    if (m != null && !m.getIsLearner()) {
      if (!members.isReadyToRemoveVotingMember(id)) {
        return CompletableFuture.failedFuture(EtcdServerException.notEnoughStartedMembers());
      }
      // A member that is down is not part of the active quorum, so removing it is safe.
      boolean downed = id != members.localMemberId() && !peers.active(id);
      if (!downed) {
        List<Long> voters = members.voterIds();
        long active = voters.stream().filter(this::connected).count();
        if (active - 1 < 1 + (voters.size() - 1) / 2) {
          return CompletableFuture.failedFuture(EtcdServerException.unhealthy());
        }
      }
    }
    MemberRecord record = m != null ? m : MemberRecord.newBuilder().setId(id).build();
    return propose(ConfChangeType.REMOVE_NODE, id, MemberChange.newBuilder().setMember(record));
  }

  CompletableFuture<List<MemberRecord>> update(long id, List<String> peerUrls) {
    for (String u : peerUrls) {
      if (!validUrl(u)) {
        return CompletableFuture.failedFuture(EtcdServerException.memberBadUrls());
      }
    }
    MemberRecord record = MemberRecord.newBuilder().setId(id).addAllPeerUrls(peerUrls).build();
    return propose(ConfChangeType.UPDATE_NODE, id, MemberChange.newBuilder().setMember(record));
  }

  /**
   * Promotes a learner. Only the leader knows how far the learner's log is, so a follower
   * passes the request to the leader's client URL, as etcd passes it over the peer port.
   */
  CompletableFuture<List<MemberRecord>> promote(long id) {
    if (!raft.isLeader()) {
      return forwardPromote(id);
    }
    return raft.status().thenCompose(status -> {
      EtcdServerException refusal = learnerNotReady(status, id);
      if (refusal != null) {
        return CompletableFuture.failedFuture(refusal);
      }
      if (!members.isReadyToPromoteMember()) {
        return CompletableFuture.failedFuture(EtcdServerException.notEnoughStartedMembers());
      }
      MemberRecord record = members.find(id).orElse(MemberRecord.newBuilder().setId(id).build());
      return propose(ConfChangeType.ADD_NODE, id, MemberChange.newBuilder().setMember(record).setIsPromote(true));
    });
  }

  /** Hands leadership to {@code target} and completes once it leads, as etcd's MoveLeader. */
  CompletableFuture<Void> moveLeader(long target) {
    if (!raft.isLeader()) {
      return CompletableFuture.failedFuture(EtcdServerException.notLeaderForRequest());
    }
    MemberRecord m = members.find(target).orElse(null);
    if (m == null || m.getIsLearner()) {
      return CompletableFuture.failedFuture(EtcdServerException.badLeaderTransferee());
    }
    return raft.transferLeadership(target).thenRunAsync(() -> {
      long deadline = System.nanoTime() + requestTimeout.toNanos();
      while (raft.leaderId() != target) {
        if (System.nanoTime() - deadline > 0) {
          throw EtcdServerException.leaderTransferTimeout();
        }
        try {
          Thread.sleep(moveLeaderPollMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw EtcdServerException.stopped();
        }
      }
    }, waits);
  }

  static EtcdServerException learnerNotReady(RaftStatus status, long id) {
    if (status.progress().isEmpty()) {
      return EtcdServerException.notLeaderForRequest();
    }
    PeerProgress learner = status.progress().get(id);
    PeerProgress leader = status.progress().get(status.id());
    if (learner != null && leader != null && learner.match() < leader.match() * learnerReadyShare) {
      return EtcdServerException.learnerNotReady();
    }
    return null;
  }

  private CompletableFuture<List<MemberRecord>> forwardPromote(long id) {
    long leader = raft.leaderId();
    if (leader == 0) {
      return CompletableFuture.failedFuture(EtcdServerException.noLeader());
    }
    List<String> urls = members.find(leader).<List<String>>map(MemberRecord::getClientUrlsList).orElse(List.of());
    if (urls.isEmpty()) {
      return CompletableFuture.failedFuture(EtcdServerException.notLeaderForRequest());
    }
    return CompletableFuture.supplyAsync(() -> {
      URI url = URI.create(urls.get(0));
      ManagedChannel channel = ManagedChannelBuilder.forAddress(url.getHost(), url.getPort()).usePlaintext().build();
      try {
        ClusterGrpc.newBlockingStub(channel)
            .withDeadlineAfter(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
            .memberPromote(MemberPromoteRequest.newBuilder().setID(id).build());
        return members.members();
      } finally {
        channel.shutdownNow();
      }
    }, waits);
  }

  @SuppressWarnings("unchecked")
  private CompletableFuture<List<MemberRecord>> propose(ConfChangeType type, long nodeId, MemberChange.Builder change) {
    long requestId = pending.nextId();
    change.setOriginMemberId(members.localMemberId()).setRequestId(requestId);
    ConfChange cc = ConfChange.newBuilder().setType(type).setNodeId(nodeId).setId(requestId)
        .setContext(change.build().toByteString()).build();
    CompletableFuture<Object> result = pending.register(requestId);
    raft.proposeConfChange(cc).whenComplete((ok, failure) -> {
      if (failure != null) {
        pending.fail(requestId, failure);
      }
    });
    return result
        .orTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle((value, failure) -> {
          if (failure == null) {
            return (List<MemberRecord>) value;
          }
          pending.fail(requestId, failure);
          Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
          if (cause instanceof TimeoutException) {
            throw EtcdServerException.timedOut();
          }
          throw cause instanceof RuntimeException r ? r : new CompletionException(cause);
        });
  }

  /** etcd's isConnectedFullySince: every other voter has been reachable for the health interval. */
  private boolean allVotersConnected() {
    return members.voterIds().stream().allMatch(this::connected);
  }

  private boolean connected(long id) {
    return id == members.localMemberId() || peers.connectedLongEnough(id);
  }

  private static boolean validUrl(String u) {
    try {
      URI url = URI.create(u);
      return ("http".equals(url.getScheme()) || "https".equals(url.getScheme()) || "unix".equals(url.getScheme()))
          && url.getHost() != null && (url.getPath() == null || url.getPath().isEmpty());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
