package io.strata.raft.wal;

import com.google.protobuf.ByteString;
import io.strata.raft.proto.Entry;
import io.strata.raft.proto.HardState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A rough measurement, not a test: the cost of appending batches of small entries with one sync
 * per batch. Run with {@code java -cp ... io.strata.raft.wal.WalAppendMeasurement [dir]}.
 */
final class WalAppendMeasurement {
  private static final int BATCH_ENTRIES = 1000;
  private static final int BATCHES = 200;
  private static final int DATA_BYTES = 100;

  public static void main(String[] args) throws IOException {
    Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("wal-measure").resolve("wal");
    ByteString data = ByteString.copyFrom(new byte[DATA_BYTES]);
    long index = 0;
    try (Wal wal = Wal.create(dir, WalOptions.defaults(), ByteString.copyFromUtf8("measure"))) {
      for (int round = 0; round < 2; round++) {
        long startNanos = System.nanoTime();
        for (int b = 0; b < BATCHES; b++) {
          List<Entry> batch = new ArrayList<>(BATCH_ENTRIES);
          for (int i = 0; i < BATCH_ENTRIES; i++) {
            batch.add(Entry.newBuilder().setIndex(++index).setTerm(1).setData(data).build());
          }
          wal.append(HardState.newBuilder().setTerm(1).setCommit(index).build(), batch);
          wal.sync();
        }
        long tookNanos = System.nanoTime() - startNanos;
        System.out.printf("%s: %d batches of %d entries, %.1f us per batch (append + sync), %.0f entries/s%n",
            round == 0 ? "warm-up" : "measured", BATCHES, BATCH_ENTRIES, tookNanos / 1e3 / BATCHES,
            BATCHES * (double) BATCH_ENTRIES / (tookNanos / 1e9));
      }
    }
    long openStart = System.nanoTime();
    try (Wal wal = Wal.open(dir, WalOptions.defaults())) {
      System.out.printf("recovered %d entries in %.1f ms%n",
          wal.recovered().entries().size(), (System.nanoTime() - openStart) / 1e6);
    }
  }
}
