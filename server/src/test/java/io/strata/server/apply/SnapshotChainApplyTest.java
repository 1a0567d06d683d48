package io.strata.server.apply;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.strata.api.etcdserverpb.CompactionRequest;
import io.strata.api.etcdserverpb.PutRequest;
import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.serverpb.InternalRequest;
import io.strata.lease.Lessor;
import io.strata.lease.LessorOptions;
import io.strata.mvcc.MvccOptions;
import io.strata.mvcc.MvccStore;
import io.strata.raft.proto.Entry;
import io.strata.raft.proto.EntryType;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * After a whole snapshot, the apply loop's snapshots hold only what changed since the one
 * before, and the saved bytes one after the other restore the state of the last; a compaction,
 * or a snapshot that was not saved, makes the next one whole again.
 */
class SnapshotChainApplyTest {
  private static final long local = 1;
  private static final int snapshotCount = 20;
  private static final int keys = 50;

  private record Taken(long index, long baseIndex) {}

  private static Entry entry(long index, InternalRequest.Builder request) {
    return Entry.newBuilder().setIndex(index).setTerm(1).setType(EntryType.ENTRY_NORMAL)
        .setData(request.setId(index).setOriginMemberId(local).build().toByteString()).build();
  }

  private static Entry put(long index) {
    return entry(index, InternalRequest.newBuilder().setPut(PutRequest.newBuilder()
        .setKey(ByteString.copyFromUtf8("k" + (index % keys))).setValue(ByteString.copyFromUtf8("v" + index))));
  }

  private static Entry compact(long index, long revision) {
    return entry(index, InternalRequest.newBuilder().setCompaction(CompactionRequest.newBuilder().setRevision(revision)));
  }

  @Test
  void snapshotsAfterTheFirstHoldOnlyTheChangesUntilACompactionOrAFailedSave() throws Exception {
    MvccOptions options = new MvccOptions(1024, id -> false);
    List<Taken> taken = new CopyOnWriteArrayList<>();
    Map<Long, ByteString> saved = new ConcurrentHashMap<>();
    AtomicBoolean refuseNext = new AtomicBoolean();
    Semaphore saves = new Semaphore(0);
    try (MvccStore store = MvccStore.open(options)) {
      StateMachine state = new StateMachine(store, new Lessor(LessorOptions.defaults()), null, options,
          rev -> { }, () -> 0L, (a, b) -> { });
      ApplyLoop apply = new ApplyLoop(state, local, new PendingRequests(local, 0), snapshotCount, (index, base) -> {
        taken.add(new Taken(index, base));
        return data -> {
          try {
            if (refuseNext.getAndSet(false)) {
              return false;
            }
            ByteString.Output out = ByteString.newOutput();
            data.writeTo(out);
            ByteString bytes = out.toByteString();
            saved.put(index, base == 0 ? bytes : saved.get(base).concat(bytes));
            return true;
          } finally {
            saves.release();
          }
        };
      });
      apply.start();
      try {
        // Snapshots at 20 (whole), 40, 60, 80 (changes since the one before).
        putUpTo(apply, 0, 4 * snapshotCount, saves);
        // A compaction, then a snapshot at 100: whole again, and one at 120 building on it.
        apply.committed(List.of(compact(81, 30)));
        putUpTo(apply, 81, 6 * snapshotCount, saves);
        // The one at 140 is not saved; the one at 160 is whole, the one at 180 builds on it.
        refuseNext.set(true);
        putUpTo(apply, 6 * snapshotCount, 9 * snapshotCount, saves);

        assertThat(taken).containsExactly(new Taken(20, 0), new Taken(40, 20), new Taken(60, 40), new Taken(80, 60),
            new Taken(100, 0), new Taken(120, 100), new Taken(140, 120), new Taken(160, 0), new Taken(180, 160));
        for (long at : List.of(80L, 120L, 180L)) {
          try (MvccStore restored = StateSnapshot.read(saved.get(at).newInput(), options,
              new Lessor(LessorOptions.defaults()), 0L)) {
            assertThat(restored.consistentIndex()).isEqualTo(at);
            // The entry at the snapshot's index was the last put to its key.
            assertThat(restored.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k" + (at % keys))).build())
                .getKvs(0).getValue().toStringUtf8()).isEqualTo("v" + at);
            assertThat(restored.compactedRevision()).isEqualTo(at >= 100 ? 30 : 0);
          }
        }
        // The section at 80 holds its 20 puts, not the 80 of the whole chain.
        assertThat(saved.get(80L).size() - saved.get(60L).size()).isLessThan(saved.get(80L).size() / 3);
      } finally {
        apply.close();
      }
    }
  }

  /** Puts entries after {@code from} up to {@code to}, waiting for the snapshot due at every snapshot count. */
  private static void putUpTo(ApplyLoop apply, long from, long to, Semaphore saves)
      throws Exception {
    for (long index = from + 1; index <= to; index++) {
      apply.committed(List.of(put(index)));
      if (index % snapshotCount == 0) {
        SnapshotWhileApplyingTest.awaitApplied(apply, index);
        // The next snapshot falls due only once this one is written.
        assertThat(saves.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
      }
    }
  }
}
