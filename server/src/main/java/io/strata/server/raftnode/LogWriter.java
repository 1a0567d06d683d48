package io.strata.server.raftnode;

import io.strata.raft.Ready;
import io.strata.raft.proto.Message;
import io.strata.raft.wal.Wal;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The raft loop's disk writes, on a thread of their own and in the order they were queued: a
 * Ready's hard state and entries into the WAL with their fsync, and snapshot files with their WAL
 * markers. The raft thread hands a Ready's writes here and goes on ticking, heartbeating and
 * taking the next Ready, so a slow fsync delays only what depends on the disk: the answers a
 * member gives about its log, its votes, and the leader counting its own copy.
 *
 * <p>Everything queued while one fsync runs is written and synced with the next one (group
 * commit). Once a batch is durable, the messages its Readies held back leave from this thread,
 * and the raft thread is told which Readies are done.
 */
final class LogWriter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LogWriter.class);
  private static final long idlePollMillis = 100;

  /** Work that needs the WAL to itself, after every write queued before it is durable. */
  interface WalAction {
    void run(Wal wal) throws IOException;
  }

  private sealed interface Write permits Append, Action {}

  private record Append(Ready ready, List<Message> heldBack) implements Write {}

  private record Action(WalAction action, CompletableFuture<Void> done) implements Write {}

  private final Wal wal;
  private final RaftLoop.PeerSender peers;
  private final Consumer<List<Ready>> persisted;
  private final Runnable beforeSync;
  private final LinkedBlockingQueue<Write> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean running = true;

  /**
   * @param persisted told, on this thread, of the Readies whose writes are durable, in order
   * @param beforeSync runs before each fsync of appended Readies; tests make the disk slow with it
   */
  LogWriter(Wal wal, RaftLoop.PeerSender peers, Consumer<List<Ready>> persisted, Runnable beforeSync) {
    this.wal = wal;
    this.peers = peers;
    this.persisted = persisted;
    this.beforeSync = beforeSync;
    this.thread = new Thread(this::run, "raft-log-writer");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Queues a Ready's writes; {@code heldBack} leaves once they (and all before them) are durable. */
  void append(Ready ready, List<Message> heldBack) {
    queue.add(new Append(ready, heldBack));
  }

  /** Runs {@code action} once everything queued before it is durable; the future tells when it ran. */
  CompletableFuture<Void> submit(WalAction action) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    queue.add(new Action(action, done));
    return done;
  }

  private void run() {
    List<Write> batch = new ArrayList<>();
    List<Append> appended = new ArrayList<>();
    try {
      while (running || !queue.isEmpty()) {
        Write first = queue.poll(idlePollMillis, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch);
        boolean mustSync = false;
        for (Write w : batch) {
          if (w instanceof Append a) {
            wal.append(a.ready().hardState(), a.ready().entries());
            mustSync |= a.ready().mustSync();
            appended.add(a);
          } else if (w instanceof Action x) {
            finish(appended, mustSync);
            mustSync = false;
            try {
              x.action().run(wal);
              x.done().complete(null);
            } catch (IOException | RuntimeException e) {
              x.done().completeExceptionally(e);
              throw e;
            }
          }
        }
        finish(appended, mustSync);
        batch.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable t) {
      // A write that failed may be half on disk; carrying on would acknowledge what is not
      // durable. Stopping is the only safe answer, as etcd does on a failed fsync.
      log.error("writing the raft log failed; stopping", t);
      Runtime.getRuntime().halt(1);
    }
  }

  private void finish(List<Append> appended, boolean mustSync) throws IOException {
    if (appended.isEmpty()) {
      return;
    }
    if (mustSync) {
      beforeSync.run();
      wal.sync();
    }
    List<Message> out = new ArrayList<>();
    List<Ready> done = new ArrayList<>(appended.size());
    for (Append a : appended) {
      out.addAll(a.heldBack());
      done.add(a.ready());
    }
    appended.clear();
    if (!out.isEmpty()) {
      peers.send(out);
    }
    persisted.accept(done);
  }

  /** Finishes what is queued, then stops the thread. */
  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(10_000);
  }
}
