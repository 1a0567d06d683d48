package io.strata.raft.transport;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.concurrent.TimeUnit;

/**
 * One outgoing streaming call seen from the thread that feeds it: that thread waits here for the
 * peer's first answer, for room to send (gRPC's flow control, so that nothing piles up unbounded
 * inside gRPC), or for the end of the call; the network thread wakes it.
 */
final class OutboundCall<Q, R> implements ClientResponseObserver<Q, R> {
  private final Runnable onEnd;
  private volatile ClientCallStreamObserver<Q> requests;
  // Set by the feeding thread once the call has started; gRPC refuses a cancel from another
  // thread that lands between the request stream's creation and the call's start.
  private volatile boolean started;
  // Guarded by this.
  private int responses;
  private boolean ended;
  private Status failure;

  /** {@code onEnd} runs on the network thread when the call ends, to wake a sender that waits elsewhere. */
  OutboundCall(Runnable onEnd) {
    this.onEnd = onEnd;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<Q> requestStream) {
    this.requests = requestStream;
    requestStream.setOnReadyHandler(this::wake);
  }

  @Override
  public synchronized void onNext(R response) {
    responses++;
    notifyAll();
  }

  @Override
  public void onError(Throwable t) {
    synchronized (this) {
      ended = true;
      failure = Status.fromThrowable(t);
      notifyAll();
    }
    onEnd.run();
  }

  @Override
  public void onCompleted() {
    synchronized (this) {
      ended = true;
      notifyAll();
    }
    onEnd.run();
  }

  private synchronized void wake() {
    notifyAll();
  }

  /**
   * Waits up to {@code timeoutNanos} for the peer's first answer. Returns null once it came, or
   * why it did not.
   */
  synchronized String awaitFirstResponse(long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    while (responses == 0 && !ended) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return "no answer within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms";
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return responses > 0 ? null : endReason();
  }

  /** Waits until a message may be sent without buffering; false if the call ended first. */
  synchronized boolean awaitReady() throws InterruptedException {
    while (!ended && !requests.isReady()) {
      wait();
    }
    return !ended;
  }

  /**
   * Whether a message may be sent now without buffering beyond gRPC's threshold; never waits.
   * False once the call ended or before it started.
   */
  boolean isReady() {
    ClientCallStreamObserver<Q> r = requests;
    return r != null && !ended() && r.isReady();
  }

  /** Waits for the end of the call. Returns null if it ended well after an answer, or why not. */
  synchronized String awaitEnd() throws InterruptedException {
    while (!ended) {
      wait();
    }
    return failure == null && responses > 0 ? null : endReason();
  }

  synchronized boolean ended() {
    return ended;
  }

  synchronized String endReason() {
    if (failure != null) {
      return failure.getCode() + (failure.getDescription() == null ? "" : ": " + failure.getDescription());
    }
    return ended ? "the peer closed the stream" : "still open";
  }

  /** The failure status if the call ended in one, else null. */
  synchronized Status failure() {
    return failure;
  }

  /** Only the feeding thread may send. */
  void send(Q message) {
    requests.onNext(message);
  }

  void halfClose() {
    requests.onCompleted();
  }

  /** Called by the feeding thread once the stub call that starts this one returned. */
  void markStarted() {
    started = true;
  }

  /** Safe from any thread, also before the call started (then the channel's shutdown ends it). */
  void cancel(String reason) {
    ClientCallStreamObserver<Q> r = requests;
    if (r != null && started) {
      r.cancel(reason, null);
    }
  }
}
