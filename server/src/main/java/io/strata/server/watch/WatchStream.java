package io.strata.server.watch;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.strata.api.etcdserverpb.WatchRequest;
import io.strata.api.etcdserverpb.WatchResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One client's bidirectional watch stream: its watchers by id and its send queue. Requests are
 * turned into hub calls here; everything that touches watcher state happens in the hub, under
 * its lock.
 */
final class WatchStream implements StreamObserver<WatchRequest> {
  /** etcd's clientv3.AutoWatchID: a create request with this id gets the next free one. */
  static final long AUTO_WATCH_ID = 0;

  private final WatchHub hub;
  final SendQueue queue;

  // Guarded by the hub's lock.
  /** Every watcher the client may still cancel, compacted ones included (their ids stay taken). */
  final Map<Long, Watcher> watchers = new LinkedHashMap<>();
  private long nextId;
  boolean closed;

  WatchStream(WatchHub hub, StreamObserver<WatchResponse> observer) {
    this.hub = hub;
    this.queue = hub.newSendQueue(observer, this);
    if (observer instanceof ServerCallStreamObserver<WatchResponse> call) {
      // After a half-close gRPC reports a client's cancellation only through this handler.
      call.setOnCancelHandler(() -> hub.closeStream(this));
    }
  }

  /** Picks the id for a new watcher: the requested one, or the next free one from 0. */
  long allocateId(long requested) {
    if (requested != AUTO_WATCH_ID) {
      return requested;
    }
    while (watchers.containsKey(nextId)) {
      nextId++;
    }
    return nextId++;
  }

  @Override
  public void onNext(WatchRequest request) {
    switch (request.getRequestUnionCase()) {
      case CREATE_REQUEST -> hub.create(this, request.getCreateRequest());
      case CANCEL_REQUEST -> hub.cancel(this, request.getCancelRequest().getWatchId());
      case PROGRESS_REQUEST -> hub.requestProgress(this);
      default -> {
        // etcd ignores requests it does not understand rather than ending the stream.
      }
    }
    queue.requestNextInbound();
  }

  @Override
  public void onError(Throwable t) {
    hub.closeStream(this);
  }

  /**
   * The client will send no more requests. etcd keeps the stream and its watchers until the
   * client cancels the call, so this does too.
   */
  @Override
  public void onCompleted() {}
}
