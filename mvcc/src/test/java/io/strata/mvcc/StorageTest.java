package io.strata.mvcc;

import static io.strata.mvcc.Kv.bs;
import static io.strata.mvcc.Kv.get;
import static io.strata.mvcc.Kv.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.strata.api.etcdserverpb.CompactionRequest;
import io.strata.api.etcdserverpb.PutRequest;
import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.etcdserverpb.TxnRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The off-heap revision map's limits, snapshots, and readers running beside the writer. */
class StorageTest {

  @Test
  void valuesLargerThanOneMapEntryAreSplitAndReassembled() {
    try (MvccStore store = StoreFixture.open()) {
      byte[] big = new byte[3 * 1024 * 1024 / 2];
      new Random(7).nextBytes(big);
      store.put(PutRequest.newBuilder().setKey(bs("big")).setValue(ByteString.copyFrom(big))
          .build());
      assertThat(store.range(get("big")).getKvs(0).getValue().toByteArray()).isEqualTo(big);
      store.put(put("big", "small"));
      store.compact(CompactionRequest.newBuilder().setRevision(3).build());
      assertThat(store.range(get("big")).getKvs(0).getValue()).isEqualTo(bs("small"));
      assertThat(store.sizeInUseBytes()).isLessThan(1024);
    }
  }

  @Test
  void revisionMapGrowsPastExpectedEntries() {
    try (MvccStore store = StoreFixture.open()) {
      int writes = (int) (StoreFixture.SMALL_ENTRIES * RevisionMap.MAX_BLOAT_FACTOR * 2);
      byte[] value = new byte[3000];
      for (int i = 0; i < writes; i++) {
        store.put(PutRequest.newBuilder().setKey(bs("k" + (i % 100)))
            .setValue(ByteString.copyFrom(value)).build());
      }
      assertThat(store.currentRevision()).isEqualTo(writes + 1);
      RangeRequest old = get("k0").toBuilder().setRevision(2).build();
      assertThat(store.range(old).getKvs(0).getModRevision()).isEqualTo(2);
      assertThat(store.range(get("k99")).getKvs(0).getVersion()).isEqualTo(writes / 100);
    }
  }

  @Test
  void oneHugeTransactionGrowsTheMapMidway() {
    try (MvccStore store = StoreFixture.open()) {
      TxnRequest.Builder txn = TxnRequest.newBuilder();
      int keys = (int) (StoreFixture.SMALL_ENTRIES * RevisionMap.MAX_BLOAT_FACTOR * 3);
      for (int i = 0; i < keys; i++) {
        txn.addSuccess(Kv.op(put("k" + i, "v")));
      }
      store.txn(txn.build());
      assertThat(store.range(Kv.prefix("k")).getCount()).isEqualTo(keys);
    }
  }

  @Test
  void snapshotRestoresStateAndRejectsCorruption() throws IOException {
    byte[] snapshot;
    HashKvResult hash;
    try (MvccStore store = StoreFixture.open()) {
      store.put(put("a", "1"));
      store.put(put("a", "2"));
      store.put(put("b", "1").toBuilder().setLease(3).build());
      store.compact(CompactionRequest.newBuilder().setRevision(3).build());
      store.setConsistentIndex(42);
      hash = store.hashKv(0);
      assertThat(hash.hashRevision()).isEqualTo(4);
      assertThat(hash.compactRevision()).isEqualTo(3);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      store.writeSnapshot(out);
      snapshot = out.toByteArray();
    }
    try (MvccStore restored = MvccStore.restore(StoreFixture.options(),
        new ByteArrayInputStream(snapshot))) {
      assertThat(restored.currentRevision()).isEqualTo(4);
      assertThat(restored.compactedRevision()).isEqualTo(3);
      assertThat(restored.consistentIndex()).isEqualTo(42);
      assertThat(restored.range(get("a")).getKvs(0).getVersion()).isEqualTo(2);
      assertThat(restored.keysWithLease(3)).containsExactly(bs("b"));
      assertThat(restored.hashKv(4)).isEqualTo(hash);
      assertThatThrownBy(() -> restored.hashKv(3)).isInstanceOf(KvException.class);
      assertThat(restored.put(put("a", "3")).getHeader().getRevision()).isEqualTo(5);
      assertThat(restored.range(get("a")).getKvs(0).getVersion()).isEqualTo(3);
      assertThat(restored.hashKv(5).hash()).isNotEqualTo(hash.hash());
      assertThat(restored.hashKv(4)).isEqualTo(hash);
    }
    for (int at : new int[] {0, 20, snapshot.length / 2, snapshot.length - 1}) {
      byte[] corrupt = snapshot.clone();
      corrupt[at] ^= 0x40;
      assertThatThrownBy(() -> MvccStore.restore(StoreFixture.options(),
          new ByteArrayInputStream(corrupt))).as("flipped byte %d", at)
          .isInstanceOf(IOException.class);
    }
    byte[] truncated = java.util.Arrays.copyOf(snapshot, snapshot.length - 5);
    assertThatThrownBy(() -> MvccStore.restore(StoreFixture.options(),
        new ByteArrayInputStream(truncated))).isInstanceOf(IOException.class);
  }

  /**
   * A restore spans many of the batches the revision map is filled in; every revision, every
   * key's history and the live keys' leases come back as they were, whatever the key's last
   * record did to its lease.
   */
  @Test
  void restoreOfManyRevisionsKeepsHistoryAndLiveLeases() throws IOException {
    int keys = 700;
    int rounds = 5;
    byte[] snapshot;
    try (MvccStore store = StoreFixture.open()) {
      for (int round = 0; round < rounds; round++) {
        for (int k = 0; k < keys; k++) {
          store.put(put("k" + k, "v" + round).toBuilder().setLease(round % 2 == 0 ? 1 + k % 2 : 0).build());
        }
      }
      // k0: lease 1 from the last round, then deleted; k1: moved from lease 2 to lease 3;
      // k2: lease 1 dropped by a put without one.
      store.deleteRange(Kv.delete("k0"));
      store.put(put("k1", "moved").toBuilder().setLease(3).build());
      store.put(put("k2", "plain"));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      store.writeSnapshot(out);
      snapshot = out.toByteArray();
    }
    long revisions = (long) keys * rounds + 3;
    assertThat(revisions).isGreaterThan(4L * RevisionMapLoader.batchRecords);
    try (MvccStore restored = MvccStore.restore(StoreFixture.options(), new ByteArrayInputStream(snapshot))) {
      assertThat(restored.currentRevision()).isEqualTo(revisions + 1);
      for (long rev = 2; rev <= keys * rounds + 1; rev++) {
        int k = (int) ((rev - 2) % keys);
        int round = (int) ((rev - 2) / keys);
        RangeRequest at = get("k" + k).toBuilder().setRevision(rev).build();
        assertThat(restored.range(at).getKvs(0).getValue()).as("revision %d", rev).isEqualTo(bs("v" + round));
      }
      assertThat(restored.range(get("k0")).getKvsCount()).isZero();
      assertThat(restored.keysWithLease(1)).doesNotContain(bs("k0"), bs("k2")).contains(bs("k4"));
      assertThat(restored.keysWithLease(2)).doesNotContain(bs("k1")).contains(bs("k3"));
      assertThat(restored.keysWithLease(3)).containsExactly(bs("k1"));
      long leased = restored.keysWithLease(1).size() + restored.keysWithLease(2).size()
          + restored.keysWithLease(3).size();
      assertThat(leased).isEqualTo(keys - 2);
    }
    byte[] corrupt = snapshot.clone();
    corrupt[snapshot.length * 3 / 4] ^= 0x40;
    assertThatThrownBy(() -> MvccStore.restore(StoreFixture.options(), new ByteArrayInputStream(corrupt)))
        .isInstanceOf(IOException.class);
  }

  /**
   * The writer keeps two keys equal, changing both in one transaction, and compacts as it goes;
   * readers reading both at the current or an older revision must never see them differ.
   */
  @Test
  void readersNeverSeeHalfAppliedTxnOrBrokenCompaction() throws Exception {
    try (MvccStore store = StoreFixture.open()) {
      store.txn(TxnRequest.newBuilder().addSuccess(Kv.op(put("x", "0")))
          .addSuccess(Kv.op(put("y", "0"))).build());
      AtomicReference<Throwable> failure = new AtomicReference<>();
      int writes = 2000;
      Thread[] readers = new Thread[2];
      for (int t = 0; t < readers.length; t++) {
        readers[t] = new Thread(() -> {
          try {
            while (store.currentRevision() < writes + 2) {
              long rev = store.currentRevision();
              long at = Math.max(Math.max(rev - 3, 2), store.compactedRevision());
              try {
                RangeRequest both = RangeRequest.newBuilder().setKey(bs("x"))
                    .setRangeEnd(bs("z")).setRevision(at).build();
                var kvs = store.range(both).getKvsList();
                if (kvs.size() != 2 || !kvs.get(0).getValue().equals(kvs.get(1).getValue())
                    || kvs.get(0).getModRevision() != kvs.get(1).getModRevision()) {
                  throw new AssertionError("torn read at " + at + ": " + kvs);
                }
              } catch (KvException e) {
                // Compaction overtook this reader's chosen revision; that is allowed.
                if (e.error() != KvError.COMPACTED) {
                  throw e;
                }
              }
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        });
        readers[t].start();
      }
      for (int i = 1; i <= writes; i++) {
        store.txn(TxnRequest.newBuilder().addSuccess(Kv.op(put("x", "" + i)))
            .addSuccess(Kv.op(put("y", "" + i))).build());
        if (i % 50 == 0) {
          store.compact(CompactionRequest.newBuilder().setRevision(store.currentRevision() - 5)
              .build());
        }
      }
      for (Thread reader : readers) {
        reader.join();
      }
      assertThat(failure.get()).isNull();
    }
  }
}
