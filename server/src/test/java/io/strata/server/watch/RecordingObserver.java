package io.strata.server.watch;

import io.grpc.stub.ServerCallStreamObserver;
import io.strata.api.etcdserverpb.WatchResponse;
import java.util.ArrayList;
import java.util.List;

/** A gRPC server stream that records what is sent and whose readiness a test controls. */
final class RecordingObserver extends ServerCallStreamObserver<WatchResponse> {
  private final List<WatchResponse> sent = new ArrayList<>();
  private volatile boolean ready = true;
  private volatile Runnable onReady = () -> {};
  volatile Runnable onCancel = () -> {};
  volatile int requested;
  volatile boolean autoInbound = true;

  synchronized List<WatchResponse> sent() {
    return List.copyOf(sent);
  }

  synchronized List<WatchResponse> takeAll() {
    List<WatchResponse> out = List.copyOf(sent);
    sent.clear();
    return out;
  }

  /** Stops reading: gRPC reports not ready from now on. */
  void block() {
    ready = false;
  }

  /** Reads again and lets gRPC call the ready handler, as it does when its buffer drains. */
  void unblock() {
    ready = true;
    onReady.run();
  }

  /** Makes every send fail, as gRPC does once the call is cancelled. */
  volatile boolean failSends;

  @Override
  public synchronized void onNext(WatchResponse value) {
    if (failSends) {
      throw new IllegalStateException("call already closed");
    }
    sent.add(value);
  }

  @Override
  public void onError(Throwable t) {}

  @Override
  public void onCompleted() {}

  @Override
  public boolean isReady() {
    return ready;
  }

  @Override
  public void setOnReadyHandler(Runnable handler) {
    onReady = handler;
  }

  @Override
  public boolean isCancelled() {
    return false;
  }

  @Override
  public void setOnCancelHandler(Runnable handler) {
    onCancel = handler;
  }

  @Override
  public void setCompression(String compression) {}

  @Override
  public void disableAutoInboundFlowControl() {
    autoInbound = false;
  }

  @Override
  public synchronized void request(int count) {
    requested += count;
  }

  @Override
  public void setMessageCompression(boolean enable) {}
}
