package io.strata.server.grpc;

import com.linecorp.armeria.client.grpc.GrpcClients;
import io.grpc.stub.StreamObserver;
import io.strata.api.etcdserverpb.LeaseGrpc;
import io.strata.api.etcdserverpb.LeaseKeepAliveRequest;
import io.strata.api.etcdserverpb.LeaseKeepAliveResponse;
import io.strata.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.strata.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.strata.server.raftnode.EtcdServerException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Forwards the lease calls that only the leader can answer (keep-alive, time-to-live) from a
 * follower to the leader's client port, as etcd forwards them to its leader. Stubs are kept
 * per leader URL, so a stable leader costs one connection.
 */
final class LeaderLeaseClient {
  private final ConcurrentHashMap<String, LeaseGrpc.LeaseStub> stubs = new ConcurrentHashMap<>();
  private final Duration timeout;

  LeaderLeaseClient(Duration timeout) {
    this.timeout = timeout;
  }

  CompletableFuture<LeaseKeepAliveResponse> keepAlive(String leaderUrl, long leaseId) {
    CompletableFuture<LeaseKeepAliveResponse> answer = new CompletableFuture<>();
    StreamObserver<LeaseKeepAliveRequest> requests = stub(leaderUrl).leaseKeepAlive(new StreamObserver<>() {
      @Override
      public void onNext(LeaseKeepAliveResponse response) {
        answer.complete(response);
      }

      @Override
      public void onError(Throwable t) {
        answer.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        answer.completeExceptionally(EtcdServerException.leaderChanged());
      }
    });
    requests.onNext(LeaseKeepAliveRequest.newBuilder().setID(leaseId).build());
    answer.whenComplete((r, t) -> requests.onCompleted());
    return answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  CompletableFuture<LeaseTimeToLiveResponse> timeToLive(String leaderUrl, LeaseTimeToLiveRequest request) {
    CompletableFuture<LeaseTimeToLiveResponse> answer = new CompletableFuture<>();
    stub(leaderUrl).leaseTimeToLive(request, new StreamObserver<>() {
      @Override
      public void onNext(LeaseTimeToLiveResponse response) {
        answer.complete(response);
      }

      @Override
      public void onError(Throwable t) {
        answer.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    });
    return answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private LeaseGrpc.LeaseStub stub(String leaderUrl) {
    return stubs.computeIfAbsent(leaderUrl, url ->
        GrpcClients.builder(url.replaceFirst("^http://", "gproto+http://")).build(LeaseGrpc.LeaseStub.class));
  }
}
