package io.strata.server.watch;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/** Runs submitted tasks only when the test says so, on the test's thread. */
final class ManualExecutor implements Executor {
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

  @Override
  public synchronized void execute(Runnable task) {
    tasks.add(task);
  }

  /** Runs tasks, including those they submit, until none is left; returns how many ran. */
  int runAll() {
    int ran = 0;
    while (true) {
      Runnable next;
      synchronized (this) {
        next = tasks.poll();
      }
      if (next == null) {
        return ran;
      }
      next.run();
      ran++;
      if (ran > 100_000) {
        throw new IllegalStateException("tasks keep resubmitting themselves");
      }
    }
  }

  synchronized int pending() {
    return tasks.size();
  }
}
