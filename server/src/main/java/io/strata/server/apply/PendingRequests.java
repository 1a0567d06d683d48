package io.strata.server.apply;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Callers waiting for their proposals to be applied, by request id. Ids start from a value
 * built from the member id and the start time, so that an entry proposed before a restart and
 * committed after it can never complete a caller of the new process.
 */
public final class PendingRequests {
  private final ConcurrentHashMap<Long, CompletableFuture<Object>> waiting = new ConcurrentHashMap<>();
  private final AtomicLong nextId;

  public PendingRequests(long memberId, long startMillis) {
    long prefix = (memberId & 0xFFFFL) << 48;
    long time = (startMillis & 0xFF_FFFF_FFFFL) << 8;
    this.nextId = new AtomicLong(prefix | time);
  }

  public long nextId() {
    return nextId.incrementAndGet();
  }

  public CompletableFuture<Object> register(long id) {
    CompletableFuture<Object> f = new CompletableFuture<>();
    waiting.put(id, f);
    return f;
  }

  public void fail(long id, Throwable cause) {
    CompletableFuture<Object> f = waiting.remove(id);
    if (f != null) {
      f.completeExceptionally(cause);
    }
  }

  /** Completes a caller with the applied result; a result that is an exception fails it. */
  void complete(long id, Object result) {
    CompletableFuture<Object> f = waiting.remove(id);
    if (f == null) {
      return;
    }
    if (result instanceof RuntimeException e) {
      f.completeExceptionally(e);
    } else {
      f.complete(result);
    }
  }

  /** Fails every caller still waiting; entries applied later complete nobody. */
  public void failAll(Throwable cause) {
    for (Long id : waiting.keySet()) {
      fail(id, cause);
    }
  }

  public int size() {
    return waiting.size();
  }
}
