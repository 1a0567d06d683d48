package io.strata.server.lock;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** The server side of one call, as a service sees it: records what it sends and can be cancelled. */
final class RecordingCall<T> extends ServerCallStreamObserver<T> {
  final List<T> sent = new CopyOnWriteArrayList<>();
  final CompletableFuture<T> first = new CompletableFuture<>();
  final CompletableFuture<Void> ended = new CompletableFuture<>();
  private volatile boolean cancelled;
  private volatile Runnable onCancel;

  void cancel() {
    cancelled = true;
    if (onCancel != null) {
      onCancel.run();
    }
  }

  /** The status the call failed with, or null if it has not failed. */
  StatusRuntimeException failure() {
    if (!ended.isCompletedExceptionally()) {
      return null;
    }
    try {
      ended.join();
      return null;
    } catch (java.util.concurrent.CompletionException e) {
      return (StatusRuntimeException) e.getCause();
    }
  }

  @Override
  public void onNext(T value) {
    sent.add(value);
    first.complete(value);
  }

  @Override
  public void onError(Throwable t) {
    first.completeExceptionally(t);
    ended.completeExceptionally(t);
  }

  @Override
  public void onCompleted() {
    ended.complete(null);
  }

  @Override
  public boolean isCancelled() {
    return cancelled;
  }

  @Override
  public void setOnCancelHandler(Runnable onCancelHandler) {
    this.onCancel = onCancelHandler;
  }

  @Override
  public void setCompression(String compression) {}

  @Override
  public boolean isReady() {
    return true;
  }

  @Override
  public void setOnReadyHandler(Runnable onReadyHandler) {}

  @Override
  public void request(int count) {}

  @Override
  public void setMessageCompression(boolean enable) {}

  @Override
  public void disableAutoInboundFlowControl() {}
}
