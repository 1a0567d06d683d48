package io.strata.server.apply;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.strata.api.etcdserverpb.PutRequest;
import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.serverpb.InternalRequest;
import io.strata.lease.Lessor;
import io.strata.lease.LessorOptions;
import io.strata.mvcc.MvccOptions;
import io.strata.mvcc.MvccStore;
import io.strata.raft.proto.Entry;
import io.strata.raft.proto.EntryType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A snapshot is written on a thread of its own: the entries after it are applied meanwhile,
 * and what is written is the state at the entry it was taken after, not what came later.
 */
class SnapshotWhileApplyingTest {
  private static final long local = 1;
  private static final int snapshotCount = 10;

  private static Entry put(long index, String key, String value) {
    InternalRequest request = InternalRequest.newBuilder().setId(index).setOriginMemberId(local)
        .setPut(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8(value)))
        .build();
    return Entry.newBuilder().setIndex(index).setTerm(1).setType(EntryType.ENTRY_NORMAL)
        .setData(request.toByteString()).build();
  }

  static void awaitApplied(ApplyLoop apply, long index) throws Exception {
    CompletableFuture<Void> applied = new CompletableFuture<>();
    apply.whenApplied(index, () -> applied.complete(null));
    applied.get(10, TimeUnit.SECONDS);
  }

  @Test
  void entriesAreAppliedWhileASnapshotIsWrittenAndItHoldsItsOwnPoint() throws Exception {
    MvccOptions options = new MvccOptions(1024, id -> false);
    CountDownLatch writerMayFinish = new CountDownLatch(1);
    List<Long> started = new CopyOnWriteArrayList<>();
    CountDownLatch secondStarted = new CountDownLatch(2);
    CompletableFuture<ByteString> firstSnapshot = new CompletableFuture<>();
    try (MvccStore store = MvccStore.open(options)) {
      StateMachine state = new StateMachine(store, new Lessor(LessorOptions.defaults()), null, options,
          rev -> { }, () -> 0L, (a, b) -> { });
      ApplyLoop apply = new ApplyLoop(state, local, new PendingRequests(local, 0), snapshotCount, (index, baseIndex) -> {
        started.add(index);
        secondStarted.countDown();
        return data -> {
          ByteString.Output out = ByteString.newOutput();
          data.writeTo(out);
          if (firstSnapshot.complete(out.toByteString())) {
            try {
              writerMayFinish.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return true;
        };
      });
      apply.start();
      try {
        List<Entry> first = new ArrayList<>();
        for (int i = 1; i <= snapshotCount; i++) {
          first.add(put(i, "k", "v" + i));
        }
        apply.committed(first);
        ByteString data = firstSnapshot.get(10, TimeUnit.SECONDS);

        // The writer is held; three more snapshot intervals of entries are applied anyway.
        for (int i = snapshotCount + 1; i <= 4 * snapshotCount; i++) {
          apply.committed(List.of(put(i, "k", "v" + i)));
        }
        awaitApplied(apply, 4 * snapshotCount);
        assertThat(started).containsExactly((long) snapshotCount);

        try (MvccStore restored = StateSnapshot.read(data.newInput(), options,
            new Lessor(LessorOptions.defaults()), 0L)) {
          assertThat(restored.consistentIndex()).isEqualTo(snapshotCount);
          assertThat(restored.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build())
              .getKvs(0).getValue().toStringUtf8()).isEqualTo("v" + snapshotCount);
        }

        // Once the writer is done, the snapshot that fell due meanwhile is taken.
        writerMayFinish.countDown();
        assertThat(secondStarted.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(started).containsExactly((long) snapshotCount, 4L * snapshotCount);
      } finally {
        writerMayFinish.countDown();
        apply.close();
      }
    }
  }
}
