package io.strata.mvcc;

import static io.strata.mvcc.Kv.bs;
import static io.strata.mvcc.Kv.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.etcdserverpb.CompactionRequest;
import io.strata.api.etcdserverpb.DeleteRangeRequest;
import io.strata.api.etcdserverpb.PutRequest;
import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.etcdserverpb.RangeResponse;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A whole snapshot followed by snapshots of the changes since the one before restores to the
 * same store as one whole snapshot of the same moment: same records, same counters, same answers
 * at every revision still readable. Random writes, deletes, leases and compactions (after which
 * the chain starts again from a whole snapshot), with some snapshots written only after later
 * writes and compactions.
 */
class SnapshotChainTest {
  private static final int KEYS = 40;

  private static byte[] written(StoreSnapshot snapshot) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    snapshot.writeTo(out);
    snapshot.close();
    return out.toByteArray();
  }

  private static byte[] whole(MvccStore store) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    store.writeSnapshot(out);
    return out.toByteArray();
  }

  private static MvccStore restoreChain(List<byte[]> sections) throws IOException {
    return restoreChain(sections, false);
  }

  /** With {@code inPlace}, the restored store reads its records where they lie in the chain's bytes. */
  private static MvccStore restoreChain(List<byte[]> sections, boolean inPlace) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] section : sections) {
      all.write(section);
    }
    SnapshotInput input = inPlace ? new SnapshotInput(com.google.protobuf.ByteString.copyFrom(all.toByteArray()))
        : null;
    InputStream in = inPlace ? input : new BufferedInputStream(new ByteArrayInputStream(all.toByteArray()));
    try (MvccStore.Restore restore = inPlace ? MvccStore.beginRestore(StoreFixture.options(), input)
        : MvccStore.beginRestore(StoreFixture.options())) {
      for (int i = 0; i < sections.size(); i++) {
        restore.section(in);
      }
      assertThat(in.read()).isEqualTo(-1);
      return restore.finish();
    }
  }

  private static void randomWrite(MvccStore store, Random random) {
    String key = "k" + random.nextInt(KEYS);
    int what = random.nextInt(100);
    if (what < 70) {
      PutRequest.Builder put = PutRequest.newBuilder().setKey(bs(key)).setValue(bs("v" + random.nextInt(1000)));
      if (random.nextInt(4) == 0) {
        put.setLease(1 + random.nextInt(3));
      }
      store.put(put.build());
    } else if (what < 85) {
      store.deleteRange(DeleteRangeRequest.newBuilder().setKey(bs(key)).build());
    } else if (what < 95) {
      // A range delete writes several sub-revisions in one revision.
      store.deleteRange(DeleteRangeRequest.newBuilder().setKey(bs("k1")).setRangeEnd(bs("k3")).build());
    } else if (random.nextInt(8) == 0) {
      long current = store.currentRevision();
      long compacted = store.compactedRevision();
      if (current > compacted + 1) {
        long at = compacted + 1 + random.nextInt((int) (current - compacted));
        store.compact(CompactionRequest.newBuilder().setRevision(Math.min(at, current)).build());
      }
    }
  }

  private static List<String> brief(RangeResponse response) {
    List<String> kvs = new ArrayList<>();
    response.getKvsList().forEach(kv -> kvs.add(kv.getKey().toStringUtf8() + "@" + kv.getModRevision()));
    return kvs;
  }

  private static void assertSameAnswers(MvccStore expected, MvccStore actual) {
    assertThat(actual.currentRevision()).isEqualTo(expected.currentRevision());
    assertThat(actual.compactedRevision()).isEqualTo(expected.compactedRevision());
    assertThat(actual.consistentIndex()).isEqualTo(expected.consistentIndex());
    for (long rev = Math.max(1, expected.compactedRevision()); rev <= expected.currentRevision(); rev++) {
      RangeRequest all = RangeRequest.newBuilder().setKey(bs("k")).setRangeEnd(bs("l")).setRevision(rev).build();
      RangeResponse want = expected.range(all);
      RangeResponse got = actual.range(all);
      assertThat(brief(got)).as("range at %d", rev).isEqualTo(brief(want));
      assertThat(got.getKvsList()).as("range at %d", rev).isEqualTo(want.getKvsList());
    }
    for (long lease = 1; lease <= 3; lease++) {
      assertThat(actual.keysWithLease(lease)).as("keys with lease %d", lease).isEqualTo(expected.keysWithLease(lease));
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
  void aChainRestoresToTheStateOfItsLastSnapshot(long seed) throws IOException {
    // Odd seeds leave the records where they lie in the chain's bytes.
    boolean inPlace = seed % 2 == 1;
    Random random = new Random(seed);
    try (MvccStore store = StoreFixture.open()) {
      List<byte[]> sections = new ArrayList<>();
      long base = -1;
      long baseCompacted = 0;
      int snapshots = 3 + random.nextInt(6);
      byte[] expected = null;
      for (int s = 0; s < snapshots; s++) {
        int writes = random.nextInt(120);
        for (int i = 0; i < writes; i++) {
          randomWrite(store, random);
        }
        store.setConsistentIndex(store.consistentIndex() + writes + 1);
        if (store.compactedRevision() != baseCompacted) {
          // A compaction since the last snapshot: the chain starts again from a whole state.
          sections.clear();
          base = -1;
        }
        StoreSnapshot snapshot = base < 0 ? store.beginSnapshot() : store.beginSnapshotSince(base);
        expected = whole(store);
        base = snapshot.revision();
        baseCompacted = store.compactedRevision();
        if (random.nextBoolean()) {
          // Written later, while the store goes on changing and compacting.
          for (int i = 0; i < 30; i++) {
            randomWrite(store, random);
          }
        }
        sections.add(written(snapshot));
      }
      try (MvccStore restored = restoreChain(sections, inPlace);
          MvccStore reference = MvccStore.restore(StoreFixture.options(), new ByteArrayInputStream(expected))) {
        assertSameAnswers(reference, restored);
        assertThat(whole(restored)).as("seed %d", seed).isEqualTo(expected);
        // The restored store takes further writes like the original.
        restored.put(put("k0", "after"));
        reference.put(put("k0", "after"));
        assertThat(whole(restored)).isEqualTo(whole(reference));
        // And compacts like it: records in the chain's bytes are removed like those in a map.
        restored.compact(io.strata.api.etcdserverpb.CompactionRequest.newBuilder()
            .setRevision(restored.currentRevision()).build());
        reference.compact(io.strata.api.etcdserverpb.CompactionRequest.newBuilder()
            .setRevision(reference.currentRevision()).build());
        assertSameAnswers(reference, restored);
        assertThat(whole(restored)).isEqualTo(whole(reference));
      }
    }
  }

  @Test
  void aSnapshotSinceABaseHoldsOnlyTheChanges() throws IOException {
    try (MvccStore store = StoreFixture.open()) {
      for (int i = 0; i < 100; i++) {
        store.put(put("k" + i, "a"));
      }
      long base = store.currentRevision();
      store.put(put("k1", "b"));
      store.put(put("k2", "b"));
      try (StoreSnapshot since = store.beginSnapshotSince(base)) {
        assertThat(since.records()).isEqualTo(2);
        assertThat(since.baseRevision()).isEqualTo(base);
      }
      try (StoreSnapshot whole = store.beginSnapshot()) {
        assertThat(whole.records()).isEqualTo(102);
        assertThat(whole.baseRevision()).isEqualTo(-1);
      }
    }
  }

  @Test
  void sectionsThatDoNotChainAreRefused() throws IOException {
    try (MvccStore store = StoreFixture.open()) {
      store.put(put("a", "1"));
      byte[] first;
      try (StoreSnapshot whole = store.beginSnapshot()) {
        first = written(whole);
      }
      store.put(put("b", "2"));
      long wrongBase = store.currentRevision();
      store.put(put("c", "3"));
      byte[] changes = written(store.beginSnapshotSince(wrongBase));

      assertThatThrownBy(() -> restoreChain(List.of(changes)).close())
          .isInstanceOf(IOException.class).hasMessageContaining("instead of a whole state");
      assertThatThrownBy(() -> restoreChain(List.of(first, changes)).close())
          .isInstanceOf(IOException.class).hasMessageContaining("does not follow");
      assertThatThrownBy(() -> restoreChain(List.of(first, first)).close())
          .isInstanceOf(IOException.class);

      long firstRevision = 2;
      store.compact(CompactionRequest.newBuilder().setRevision(store.currentRevision()).build());
      assertThatThrownBy(() -> store.beginSnapshotSince(firstRevision))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("before the compacted revision");
      byte[] sinceCompaction = written(store.beginSnapshotSince(store.currentRevision()));
      assertThatThrownBy(() -> restoreChain(List.of(first, sinceCompaction)).close())
          .isInstanceOf(IOException.class).hasMessageContaining("does not follow");
    }
  }
}
