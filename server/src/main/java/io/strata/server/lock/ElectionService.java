package io.strata.server.lock;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.strata.api.etcdserverpb.RangeResponse;
import io.strata.api.v3electionpb.CampaignRequest;
import io.strata.api.v3electionpb.CampaignResponse;
import io.strata.api.v3electionpb.ElectionGrpc;
import io.strata.api.v3electionpb.LeaderKey;
import io.strata.api.v3electionpb.LeaderRequest;
import io.strata.api.v3electionpb.LeaderResponse;
import io.strata.api.v3electionpb.ProclaimRequest;
import io.strata.api.v3electionpb.ProclaimResponse;
import io.strata.api.v3electionpb.ResignRequest;
import io.strata.api.v3electionpb.ResignResponse;
import io.strata.server.member.LocalMember;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * etcd's Election service (v3electionpb): leader election built from keys, leases and
 * revisions. A candidate is a key {@code name/hex(lease)} holding its proposal; the leader is
 * the oldest key under {@code name/}. Waiting candidates and observers follow keys through one
 * revision listener.
 */
public final class ElectionService extends ElectionGrpc.ElectionImplBase implements AutoCloseable {
  private final MemberAccess member;
  private final ExecutorService executor;
  private final KeyEvents events;

  public ElectionService(LocalMember member) {
    this(MemberAccess.of(member));
  }

  ElectionService(MemberAccess member) {
    this.member = member;
    this.executor = WaiterThread.start("election-waiters");
    this.events = new KeyEvents(executor);
    member.addRevisionListener(events);
  }

  @Override
  public void campaign(CampaignRequest request, StreamObserver<CampaignResponse> observer) {
    new Campaign(member, events, executor, (ServerCallStreamObserver<CampaignResponse>) observer, request).start();
  }

  @Override
  public void proclaim(ProclaimRequest request, StreamObserver<ProclaimResponse> observer) {
    if (!request.hasLeader()) {
      observer.onError(RecipeStatus.of(RecipeException.missingLeaderKey()));
      return;
    }
    LeaderKey leader = request.getLeader();
    Answers.later(observer,
        SessionLease.resolve(member, leader.getLease()).thenCompose(lease ->
            ElectionRequests.proclaim(member, leader.getKey(), leader.getRev(), request.getValue(), lease)),
        r -> ProclaimResponse.newBuilder().setHeader(member.header(r.getHeader().getRevision())).build());
  }

  @Override
  public void leader(LeaderRequest request, StreamObserver<LeaderResponse> observer) {
    CompletableFuture<RangeResponse> head =
        member.linearizableRead(() -> member.range(QueueRequests.firstCreated(QueueRequests.prefix(request.getName()))));
    Answers.later(observer, head, r -> {
      if (r.getKvsCount() == 0) {
        throw RecipeException.noLeader();
      }
      return LeaderResponse.newBuilder().setHeader(member.header(r.getHeader().getRevision())).setKv(r.getKvs(0)).build();
    });
  }

  @Override
  public void observe(LeaderRequest request, StreamObserver<LeaderResponse> observer) {
    new LeaderObserver(member, events, executor, (ServerCallStreamObserver<LeaderResponse>) observer, request.getName())
        .start();
  }

  @Override
  public void resign(ResignRequest request, StreamObserver<ResignResponse> observer) {
    if (!request.hasLeader()) {
      observer.onError(RecipeStatus.of(RecipeException.missingLeaderKey()));
      return;
    }
    LeaderKey leader = request.getLeader();
    Answers.later(observer, ElectionRequests.resign(member, leader.getKey(), leader.getRev()),
        r -> ResignResponse.newBuilder().setHeader(member.header(r.getHeader().getRevision())).build());
  }

  /** How many keys and prefixes candidates and observers follow now; for tests and metrics. */
  int followedCount() {
    return events.subscriptionCount();
  }

  /** Completes once the waiter thread has run everything handed to it so far; for tests. */
  CompletableFuture<Void> idle() {
    return CompletableFuture.runAsync(() -> {}, executor);
  }

  /** Stops following keys; calls still waiting are left to end with the server's shutdown. */
  @Override
  public void close() {
    member.removeRevisionListener(events);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
