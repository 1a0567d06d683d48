package io.strata.mvcc;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Fills the revision map of a store being restored on a thread of its own, while the restoring
 * thread decodes and indexes the records that follow. Writing a record into the off-heap map
 * costs more than decoding and indexing it, and a member that restores a leader's snapshot
 * serves nobody until it is done, so the two halves run side by side.
 *
 * <p>The map keeps a single writer: this thread alone writes it until {@link #finish} returns,
 * and nothing reads the store before its restore ends. Records are handed over in batches through
 * a bounded queue, so the records in flight stay a few hundred kilobytes whatever the snapshot's
 * size; when the writer falls behind, the restoring thread waits.
 */
final class RevisionMapLoader implements AutoCloseable {
  static final int batchRecords = 512;
  static final int queuedBatches = 8;
  private static final long pollMillis = 10;

  private record Batch(List<Revision> revisions, List<byte[]> records) {
    Batch() {
      this(new ArrayList<>(batchRecords), new ArrayList<>(batchRecords));
    }
  }

  // Put last into the queue: the writer stops when it takes it.
  private static final Batch end = new Batch(List.of(), List.of());

  private final RevisionMap map;
  private final BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(queuedBatches);
  private final Thread writer;
  private volatile Throwable failure;
  private Batch filling = new Batch();
  private boolean finished;

  RevisionMapLoader(RevisionMap map) {
    this.map = map;
    this.writer = new Thread(this::write, "restore-revision-map");
    this.writer.setDaemon(true);
    this.writer.start();
  }

  /** Queues one record for the map; throws what the writer failed with, if it did. */
  void add(Revision rev, byte[] record) throws IOException {
    Invariants.check(!finished, "record %s added after the load finished", rev);
    filling.revisions().add(rev);
    filling.records().add(record);
    if (filling.revisions().size() == batchRecords) {
      handOver(filling);
      filling = new Batch();
    }
  }

  /** Waits until every record added is in the map; throws what the writer failed with. */
  void finish() throws IOException {
    Invariants.check(!finished, "the load finished twice");
    finished = true;
    if (!filling.revisions().isEmpty()) {
      handOver(filling);
    }
    handOver(end);
    try {
      writer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while the restored revisions were written");
    }
    rethrowFailure();
  }

  /** Stops the writer, if it still runs: the restore failed and its store is thrown away. */
  @Override
  public void close() {
    if (writer.isAlive()) {
      writer.interrupt();
      try {
        writer.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void handOver(Batch batch) throws IOException {
    try {
      while (!queue.offer(batch, pollMillis, TimeUnit.MILLISECONDS)) {
        rethrowFailure();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while the restored revisions were written");
    }
    rethrowFailure();
  }

  private void rethrowFailure() throws IOException {
    Throwable t = failure;
    if (t == null) {
      return;
    }
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    throw new IOException("writing the restored revisions failed", t);
  }

  private void write() {
    try {
      while (true) {
        Batch batch = queue.take();
        if (batch == end) {
          return;
        }
        for (int i = 0; i < batch.revisions().size(); i++) {
          map.put(batch.revisions().get(i), batch.records().get(i));
        }
      }
    } catch (InterruptedException e) {
      // close(): the restore was abandoned.
    } catch (Throwable t) {
      failure = t;
    }
  }
}
