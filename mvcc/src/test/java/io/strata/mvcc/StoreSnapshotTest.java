package io.strata.mvcc;

import static io.strata.mvcc.Kv.bs;
import static io.strata.mvcc.Kv.get;
import static io.strata.mvcc.Kv.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.strata.api.etcdserverpb.CompactionRequest;
import io.strata.api.etcdserverpb.DeleteRangeRequest;
import io.strata.api.etcdserverpb.PutRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** A snapshot taken at one moment and written out later, while the store goes on changing. */
class StoreSnapshotTest {
  private static final int KEYS = StoreSnapshot.CHUNK_RECORDS * 3 + 17;

  private static void fill(MvccStore store, String round) {
    for (int i = 0; i < KEYS; i++) {
      store.put(put("k" + i, round + i));
    }
  }

  private static byte[] written(StoreSnapshot snapshot) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    snapshot.writeTo(out);
    return out.toByteArray();
  }

  @Test
  void writesTheStateOfItsMomentDespiteLaterWritesAndCompaction() throws IOException {
    try (MvccStore store = StoreFixture.open()) {
      fill(store, "a");
      fill(store, "b");
      store.setConsistentIndex(42);
      ByteArrayOutputStream then = new ByteArrayOutputStream();
      store.writeSnapshot(then);

      try (StoreSnapshot snapshot = store.beginSnapshot()) {
        fill(store, "c");
        store.deleteRange(DeleteRangeRequest.newBuilder().setKey(bs("k1")).build());
        // Drops every "a" and "b" value from the index; the snapshot still needs them.
        store.compact(CompactionRequest.newBuilder().setRevision(store.currentRevision()).build());
        store.setConsistentIndex(43);

        assertThat(snapshot.consistentIndex()).isEqualTo(42);
        assertThat(snapshot.revision()).isEqualTo(2L * KEYS + 1);
        assertThat(written(snapshot)).isEqualTo(then.toByteArray());
      }
      try (MvccStore restored = MvccStore.restore(StoreFixture.options(), new ByteArrayInputStream(then.toByteArray()))) {
        assertThat(restored.range(get("k1")).getKvs(0).getValue()).isEqualTo(bs("b1"));
        assertThat(restored.consistentIndex()).isEqualTo(42);
      }
    }
  }

  @Test
  void compactedRecordsLeaveTheMapOnceNoSnapshotIsOpen() {
    try (MvccStore store = StoreFixture.open()) {
      fill(store, "a");
      fill(store, "b");
      long compactedSize;
      try (StoreSnapshot snapshot = store.beginSnapshot()) {
        long before = store.sizeInUseBytes();
        store.compact(CompactionRequest.newBuilder().setRevision(store.currentRevision()).build());
        compactedSize = store.sizeInUseBytes();
        assertThat(compactedSize).isEqualTo(before);
      }
      store.put(put("another", "write"));
      assertThat(store.sizeInUseBytes()).isLessThan(compactedSize / 2 + 1024);
    }
  }

  @Test
  void compactionWithoutAnOpenSnapshotDropsAtOnce() {
    try (MvccStore store = StoreFixture.open()) {
      fill(store, "a");
      fill(store, "b");
      long before = store.sizeInUseBytes();
      store.compact(CompactionRequest.newBuilder().setRevision(store.currentRevision()).build());
      assertThat(store.sizeInUseBytes()).isLessThan(before / 2 + 1024);
    }
  }

  @Test
  void aSnapshotOfAClosedStoreFailsToWrite() {
    MvccStore store = StoreFixture.open();
    store.put(PutRequest.newBuilder().setKey(bs("k")).setValue(ByteString.copyFromUtf8("v")).build());
    StoreSnapshot snapshot = store.beginSnapshot();
    store.close();
    assertThatThrownBy(() -> written(snapshot)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    snapshot.close();
  }
}
