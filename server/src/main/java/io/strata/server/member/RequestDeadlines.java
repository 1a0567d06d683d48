package io.strata.server.member;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * Fails requests that are still running when their timeout has passed, checked by one thread
 * a few times a second. {@code CompletableFuture.orTimeout} would schedule a task per request
 * on a shared timer; when few requests are in flight each new one becomes the timer's earliest
 * deadline and wakes its thread, a wakeup per request for a timeout that almost never fires.
 * Here a request costs one queue insertion and nothing else.
 *
 * <p>All requests share one timeout, so their deadlines come in the order they were registered:
 * the queue is sorted by construction, and a sweep stops at the first request not yet due.
 */
final class RequestDeadlines implements AutoCloseable {
  private record Deadline(long dueNanos, CompletableFuture<?> request) {}

  private final long timeoutNanos;
  private final LongSupplier nanoClock;
  // Invariant: dueNanos never decreases from head to tail (but see sweep()).
  private final ConcurrentLinkedQueue<Deadline> queue = new ConcurrentLinkedQueue<>();
  private volatile Thread sweeper;

  /** Without a thread of its own: the caller runs {@link #sweep} (tests do, with their clock). */
  RequestDeadlines(Duration timeout, LongSupplier nanoClock) {
    this.timeoutNanos = timeout.toNanos();
    this.nanoClock = nanoClock;
  }

  /** Deadlines swept by a thread of their own every {@code sweepInterval}, until closed. */
  static RequestDeadlines started(Duration timeout, Duration sweepInterval) {
    RequestDeadlines deadlines = new RequestDeadlines(timeout, System::nanoTime);
    long intervalMillis = Math.max(1, sweepInterval.toMillis());
    Thread t = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          Thread.sleep(intervalMillis);
        } catch (InterruptedException e) {
          return;
        }
        deadlines.sweep();
      }
    }, "request-deadlines");
    t.setDaemon(true);
    deadlines.sweeper = t;
    t.start();
    return deadlines;
  }

  /**
   * Fails {@code request} with a {@link TimeoutException} if it has not completed within the
   * timeout from now; returns {@code request} itself.
   */
  <T> CompletableFuture<T> bound(CompletableFuture<T> request) {
    if (!request.isDone()) {
      queue.add(new Deadline(nanoClock.getAsLong() + timeoutNanos, request));
    }
    return request;
  }

  /**
   * Fails every request whose deadline has passed and forgets those that completed. Registrations
   * from several threads may reach the queue a few microseconds out of order; a request behind a
   * later deadline is then failed that much late, never before its own deadline.
   */
  void sweep() {
    long now = nanoClock.getAsLong();
    Deadline head;
    while ((head = queue.peek()) != null) {
      if (!head.request().isDone() && head.dueNanos() - now > 0) {
        return;
      }
      queue.poll();
      if (!head.request().isDone()) {
        head.request().completeExceptionally(new TimeoutException());
      }
    }
  }

  /** Requests registered and not yet seen done by a sweep. */
  int tracked() {
    return queue.size();
  }

  @Override
  public void close() {
    Thread t = sweeper;
    if (t != null) {
      t.interrupt();
    }
  }
}
