package io.strata.mvcc;

import static io.strata.mvcc.Kv.bs;
import static io.strata.mvcc.Kv.delete;
import static io.strata.mvcc.Kv.get;
import static io.strata.mvcc.Kv.op;
import static io.strata.mvcc.Kv.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.strata.api.etcdserverpb.CompactionRequest;
import io.strata.api.etcdserverpb.DeleteRangeRequest;
import io.strata.api.etcdserverpb.PutRequest;
import io.strata.api.etcdserverpb.TxnRequest;
import io.strata.api.mvccpb.Event;
import io.strata.api.mvccpb.KeyValue;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A put finds the creation revision and version in the key index and the lease it replaces in
 * the lease index, never in the key's previous record; these check that bookkeeping where it is
 * easiest to get wrong: after compaction, after a restore, and when a transaction is rolled back.
 */
class PutBookkeepingTest {
  private MvccStore store = StoreFixture.open();
  private final List<Event> published = new ArrayList<>();

  PutBookkeepingTest() {
    store.setEventListener((rev, events) -> published.addAll(events));
  }

  @AfterEach
  void close() {
    store.close();
  }

  private KeyValue current(String key) {
    List<KeyValue> kvs = store.range(get(key)).getKvsList();
    assertThat(kvs).hasSize(1);
    return kvs.get(0);
  }

  private static PutRequest leased(String key, String value, long lease) {
    return put(key, value).toBuilder().setLease(lease).build();
  }

  @Test
  void updateKeepsCreationAndCountsVersionAcrossCompaction() {
    store.put(put("a", "1"));
    store.put(put("b", "1"));
    store.put(put("a", "2"));
    // Drops a's first record, the one that holds its creation revision.
    store.compact(CompactionRequest.newBuilder().setRevision(4).build());
    store.put(put("a", "3"));
    KeyValue a = current("a");
    assertThat(a.getCreateRevision()).isEqualTo(2);
    assertThat(a.getModRevision()).isEqualTo(5);
    assertThat(a.getVersion()).isEqualTo(3);
  }

  @Test
  void putOverAnExistingKeyIsPublishedWithoutPrevKvWhichHistoryStillGives() {
    store.put(put("a", "1"));
    store.put(put("a", "2"));
    store.deleteRange(delete("a"));

    assertThat(published).extracting(Event::getType)
        .containsExactly(Event.EventType.PUT, Event.EventType.PUT, Event.EventType.DELETE);
    assertThat(published.get(1).hasPrevKv()).isFalse();
    assertThat(published.get(2).getPrevKv().getValue()).isEqualTo(bs("2"));
    List<Event> history = store.eventsSince(3, 4, bs("a"), ByteString.EMPTY, 10, true).events();
    assertThat(history.get(0).getPrevKv().getValue()).isEqualTo(bs("1"));
    assertThat(history.get(0).getKv()).isEqualTo(published.get(1).getKv());
    assertThat(history.get(1)).isEqualTo(published.get(2));
  }

  @Test
  void recreatedKeyStartsAFreshGenerationAndLeavesTheOldLeaseAlone() {
    store.put(leased("a", "1", 1));
    store.deleteRange(delete("a"));
    store.put(leased("a", "2", 2));
    KeyValue a = current("a");
    assertThat(a.getCreateRevision()).isEqualTo(4);
    assertThat(a.getVersion()).isEqualTo(1);
    assertThat(store.keysWithLease(1)).isEmpty();
    assertThat(store.keysWithLease(2)).containsExactly(bs("a"));
  }

  @Test
  void putMovesTheKeyFromItsOldLeaseToTheNewOne() {
    store.put(leased("a", "1", 1));
    store.put(leased("a", "2", 2));
    assertThat(store.keysWithLease(1)).isEmpty();
    assertThat(store.keysWithLease(2)).containsExactly(bs("a"));
    store.put(leased("a", "3", 0));
    assertThat(store.keysWithLease(2)).isEmpty();
    store.deleteRange(delete("a"));
    assertThat(store.keysWithLease(2)).isEmpty();
  }

  @Test
  void leaseOfAKeyIsKnownAfterARestore() throws IOException {
    store.put(leased("a", "1", 1));
    store.put(leased("a", "2", 1));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    store.writeSnapshot(out);
    store.close();
    store = MvccStore.restore(StoreFixture.options(), new ByteArrayInputStream(out.toByteArray()));

    store.put(leased("a", "3", 2));
    assertThat(store.keysWithLease(1)).isEmpty();
    assertThat(store.keysWithLease(2)).containsExactly(bs("a"));
    KeyValue a = current("a");
    assertThat(a.getCreateRevision()).isEqualTo(2);
    assertThat(a.getVersion()).isEqualTo(3);
  }

  @Test
  void rolledBackPutGivesTheKeyBackToItsOldLease() {
    store.put(leased("a", "1", 1));
    store.put(leased("c", "1", 2));
    // The put of "c" that needs the value the delete before it removed fails after the put of
    // "a" moved that key to lease 3, so the transaction is rolled back with a lease to restore.
    TxnRequest txn = TxnRequest.newBuilder()
        .addSuccess(op(leased("a", "2", 3)))
        .addSuccess(op(DeleteRangeRequest.newBuilder().setKey(bs("c"))
            .setRangeEnd(ByteString.copyFrom(new byte[] {0})).build()))
        .addSuccess(op(PutRequest.newBuilder().setKey(bs("c")).setIgnoreValue(true).build()))
        .build();
    KvRequestValidator.checkTxn(txn, 128);
    published.clear();

    assertThatThrownBy(() -> store.txn(txn)).isInstanceOfSatisfying(KvException.class,
        e -> assertThat(e.error()).isEqualTo(KvError.KEY_NOT_FOUND));

    assertThat(published).isEmpty();
    assertThat(store.currentRevision()).isEqualTo(3);
    assertThat(store.keysWithLease(1)).containsExactly(bs("a"));
    assertThat(store.keysWithLease(2)).containsExactly(bs("c"));
    assertThat(store.keysWithLease(3)).isEmpty();
    assertThat(current("a").getLease()).isEqualTo(1);
    // What the next put takes from the indexes is what the rollback left there.
    store.put(leased("a", "3", 0));
    KeyValue a = current("a");
    assertThat(a.getCreateRevision()).isEqualTo(2);
    assertThat(a.getVersion()).isEqualTo(2);
    assertThat(store.keysWithLease(1)).isEmpty();
  }
}
