package io.strata.server.watch;

import io.grpc.stub.StreamObserver;
import io.strata.api.etcdserverpb.WatchGrpc;
import io.strata.api.etcdserverpb.WatchRequest;
import io.strata.api.etcdserverpb.WatchResponse;

/** The etcdserverpb.Watch gRPC service: each call becomes a stream of the hub. */
public final class WatchService extends WatchGrpc.WatchImplBase {
  private final WatchHub hub;

  WatchService(WatchHub hub) {
    this.hub = hub;
  }

  @Override
  public StreamObserver<WatchRequest> watch(StreamObserver<WatchResponse> responseObserver) {
    return hub.openStream(responseObserver);
  }
}
