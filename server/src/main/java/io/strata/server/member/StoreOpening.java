package io.strata.server.member;

import io.strata.mvcc.MvccOptions;
import io.strata.mvcc.MvccStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An empty revision store being opened on a thread of its own while start-up goes on. The first
 * store of a process costs seconds of class loading and run-time compilation, time in which the
 * member can already wait on the network (a joining member waits for the cluster to call it).
 */
final class StoreOpening {
  private static final Logger log = LoggerFactory.getLogger(StoreOpening.class);

  private final CompletableFuture<MvccStore> store = new CompletableFuture<>();

  private StoreOpening() {}

  static StoreOpening start(MvccOptions options) {
    StoreOpening opening = new StoreOpening();
    Thread t = new Thread(() -> {
      long startNanos = System.nanoTime();
      try {
        opening.store.complete(MvccStore.open(options));
        log.info("opened the revision store: took-ms={}", (System.nanoTime() - startNanos) / 1_000_000);
      } catch (Throwable e) {
        opening.store.completeExceptionally(e);
      }
    }, "open-revision-store");
    t.setDaemon(true);
    t.start();
    return opening;
  }

  /** The opened store; rethrows what opening it threw. */
  MvccStore await() throws Exception {
    try {
      return store.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception ex) {
        throw ex;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  /** Start-up failed before the store was needed: it is closed once open, to free its memory. */
  void discard() {
    store.thenAccept(MvccStore::close);
  }
}
