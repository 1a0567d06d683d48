package io.strata.server.lock;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The one thread on which a service's waiters run. Every step of every waiter is short (a read
 * of the local store, a proposal handed to Raft, a message handed to gRPC), so one thread keeps
 * up, and running them one at a time lets a waiter keep its state without locks and see its
 * key's events in revision order.
 */
final class WaiterThread {
  private WaiterThread() {}

  static ExecutorService start(String name) {
    return Executors.newSingleThreadExecutor(task -> {
      Thread t = new Thread(task, name);
      t.setDaemon(true);
      return t;
    });
  }
}
