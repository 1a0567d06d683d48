package io.strata.mvcc;

import static io.strata.mvcc.Kv.bs;
import static io.strata.mvcc.Kv.delete;
import static io.strata.mvcc.Kv.get;
import static io.strata.mvcc.Kv.modEquals;
import static io.strata.mvcc.Kv.op;
import static io.strata.mvcc.Kv.prefix;
import static io.strata.mvcc.Kv.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.strata.api.etcdserverpb.Compare;
import io.strata.api.etcdserverpb.CompactionRequest;
import io.strata.api.etcdserverpb.DeleteRangeRequest;
import io.strata.api.etcdserverpb.PutRequest;
import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.etcdserverpb.RangeResponse;
import io.strata.api.etcdserverpb.RequestOp;
import io.strata.api.etcdserverpb.TxnRequest;
import io.strata.api.etcdserverpb.TxnResponse;
import io.strata.api.mvccpb.Event;
import io.strata.api.mvccpb.KeyValue;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MvccStoreTest {
  private final MvccStore store = StoreFixture.open();

  @AfterEach
  void close() {
    store.close();
  }

  private KeyValue only(RangeRequest r) {
    RangeResponse resp = store.range(r);
    assertThat(resp.getKvsList()).hasSize(1);
    return resp.getKvs(0);
  }

  private static CompactionRequest compactAt(long rev) {
    return CompactionRequest.newBuilder().setRevision(rev).build();
  }

  @Test
  void revisionStartsAtOneOnAnEmptyStore() {
    assertThat(store.currentRevision()).isEqualTo(1);
    assertThat(store.range(get("a")).getHeader().getRevision()).isEqualTo(1);
    assertThat(store.put(put("a", "1")).getHeader().getRevision()).isEqualTo(2);
  }

  @Test
  void versionCountsPutsAndDeleteResetsIt() {
    store.put(put("a", "1"));
    store.put(put("a", "2"));
    KeyValue kv = only(get("a"));
    assertThat(kv.getCreateRevision()).isEqualTo(2);
    assertThat(kv.getModRevision()).isEqualTo(3);
    assertThat(kv.getVersion()).isEqualTo(2);
    store.deleteRange(delete("a"));
    store.put(put("a", "3"));
    kv = only(get("a"));
    assertThat(kv.getCreateRevision()).isEqualTo(5);
    assertThat(kv.getVersion()).isEqualTo(1);
  }

  @Test
  void deleteOfMissingKeyDoesNotBumpRevision() {
    store.put(put("a", "1"));
    var resp = store.deleteRange(delete("missing"));
    assertThat(resp.getDeleted()).isZero();
    assertThat(resp.getHeader().getRevision()).isEqualTo(2);
    assertThat(store.currentRevision()).isEqualTo(2);
  }

  @Test
  void txnThatWritesNothingDoesNotBumpRevision() {
    store.put(put("a", "1"));
    TxnResponse failed = store.txn(TxnRequest.newBuilder().addCompare(modEquals("a", 99))
        .addSuccess(op(put("a", "2"))).addFailure(op(get("a"))).build());
    assertThat(failed.getSucceeded()).isFalse();
    assertThat(failed.getHeader().getRevision()).isEqualTo(2);
    TxnResponse deletesNothing = store.txn(TxnRequest.newBuilder()
        .addSuccess(op(delete("missing"))).build());
    assertThat(deletesNothing.getHeader().getRevision()).isEqualTo(2);
    assertThat(store.currentRevision()).isEqualTo(2);
  }

  @Test
  void oneWriteTxnIsOneRevisionWithSubRevisions() {
    List<Event> seen = new ArrayList<>();
    store.setEventListener((rev, events) -> seen.addAll(events));
    TxnResponse resp = store.txn(TxnRequest.newBuilder()
        .addSuccess(op(put("a", "1"))).addSuccess(op(put("b", "2"))).build());
    assertThat(resp.getHeader().getRevision()).isEqualTo(2);
    assertThat(only(get("a")).getModRevision()).isEqualTo(2);
    assertThat(only(get("b")).getModRevision()).isEqualTo(2);
    assertThat(seen).extracting(e -> e.getKv().getKey().toStringUtf8()).containsExactly("a", "b");
  }

  @Test
  void rangeCountIsNotLimitedByLimit() {
    for (int i = 0; i < 5; i++) {
      store.put(put("k/" + i, "v"));
    }
    RangeResponse resp = store.range(prefix("k/").toBuilder().setLimit(2).build());
    assertThat(resp.getKvsCount()).isEqualTo(2);
    assertThat(resp.getCount()).isEqualTo(5);
    assertThat(resp.getMore()).isTrue();
    RangeResponse all = store.range(prefix("k/").toBuilder().setLimit(5).build());
    assertThat(all.getMore()).isFalse();
  }

  @Test
  void rangeAtOldRevisionReportsCurrentRevisionInHeader() {
    store.put(put("a", "1"));
    store.put(put("a", "2"));
    RangeResponse old = store.range(get("a").toBuilder().setRevision(2).build());
    assertThat(old.getKvs(0).getValue()).isEqualTo(bs("1"));
    assertThat(old.getHeader().getRevision()).isEqualTo(3);
  }

  @Test
  void rangeBelowCompactedOrAboveCurrentRevisionFails() {
    store.put(put("a", "1"));
    store.put(put("a", "2"));
    store.put(put("a", "3"));
    store.compact(compactAt(3));
    assertThatThrownBy(() -> store.range(get("a").toBuilder().setRevision(2).build()))
        .isInstanceOfSatisfying(KvException.class,
            e -> assertThat(e.error()).isEqualTo(KvError.COMPACTED));
    assertThat(store.range(get("a").toBuilder().setRevision(3).build()).getKvs(0).getValue())
        .isEqualTo(bs("2"));
    assertThatThrownBy(() -> store.range(get("a").toBuilder().setRevision(5).build()))
        .isInstanceOfSatisfying(KvException.class,
            e -> assertThat(e.error()).isEqualTo(KvError.FUTURE_REVISION));
  }

  @Test
  void txnReadSeesEarlierWriteInSameTxn() {
    store.put(put("a", "old"));
    TxnResponse resp = store.txn(TxnRequest.newBuilder()
        .addSuccess(op(get("a")))
        .addSuccess(op(put("a", "new")))
        .addSuccess(op(get("a")))
        .build());
    RangeResponse before = resp.getResponses(0).getResponseRange();
    RangeResponse after = resp.getResponses(2).getResponseRange();
    assertThat(before.getKvs(0).getValue()).isEqualTo(bs("old"));
    assertThat(before.getHeader().getRevision()).isEqualTo(2);
    assertThat(after.getKvs(0).getValue()).isEqualTo(bs("new"));
    assertThat(after.getHeader().getRevision()).isEqualTo(3);
    assertThat(resp.getResponses(1).getResponsePut().getHeader().getRevision()).isEqualTo(3);
  }

  @Test
  void nestedTxnComparesSeeStateBeforeTheTxn() {
    TxnRequest nested = TxnRequest.newBuilder()
        .addCompare(modEquals("a", 0))
        .addSuccess(op(put("b", "a was missing")))
        .addFailure(op(put("b", "a existed")))
        .build();
    TxnResponse resp = store.txn(TxnRequest.newBuilder()
        .addSuccess(op(put("a", "1")))
        .addSuccess(RequestOp.newBuilder().setRequestTxn(nested))
        .build());
    assertThat(only(get("b")).getValue()).isEqualTo(bs("a was missing"));
    TxnResponse inner = resp.getResponses(1).getResponseTxn();
    assertThat(inner.getSucceeded()).isTrue();
    assertThat(inner.hasHeader()).isTrue();
    assertThat(inner.getHeader().getRevision()).isZero();
  }

  @Test
  void compareOnMissingKeyUsesZerosButValueCompareFails() {
    TxnResponse create = store.txn(TxnRequest.newBuilder().addCompare(modEquals("k", 0))
        .addSuccess(op(put("k", "v"))).build());
    assertThat(create.getSucceeded()).isTrue();
    Compare valueEmpty = Compare.newBuilder().setKey(bs("missing"))
        .setTarget(Compare.CompareTarget.VALUE).setResult(Compare.CompareResult.EQUAL)
        .setValue(ByteString.EMPTY).build();
    assertThat(store.txn(TxnRequest.newBuilder().addCompare(valueEmpty).build()).getSucceeded())
        .isFalse();
  }

  @Test
  void compareOverRangeNeedsEveryKeyToMatch() {
    store.put(put("p/1", "x"));
    store.put(put("p/2", "y"));
    Compare allX = Compare.newBuilder().setKey(bs("p/")).setRangeEnd(bs("p0"))
        .setTarget(Compare.CompareTarget.VALUE).setResult(Compare.CompareResult.EQUAL)
        .setValue(bs("x")).build();
    assertThat(store.txn(TxnRequest.newBuilder().addCompare(allX).build()).getSucceeded())
        .isFalse();
    store.put(put("p/2", "x"));
    assertThat(store.txn(TxnRequest.newBuilder().addCompare(allX).build()).getSucceeded())
        .isTrue();
  }

  @Test
  void leaseNotFoundInTxnChangesNothing() {
    TxnRequest txn = TxnRequest.newBuilder()
        .addSuccess(op(put("a", "1")))
        .addSuccess(op(put("b", "2").toBuilder().setLease(99).build()))
        .build();
    assertThatThrownBy(() -> store.txn(txn)).isInstanceOfSatisfying(KvException.class,
        e -> assertThat(e.error()).isEqualTo(KvError.LEASE_NOT_FOUND));
    assertThat(store.currentRevision()).isEqualTo(1);
    assertThat(store.range(get("a")).getCount()).isZero();
  }

  @Test
  void putWithIgnoreValueOnMissingKeyIsKeyNotFound() {
    PutRequest p = PutRequest.newBuilder().setKey(bs("a")).setIgnoreValue(true).build();
    assertThatThrownBy(() -> store.put(p)).isInstanceOfSatisfying(KvException.class,
        e -> assertThat(e.error()).isEqualTo(KvError.KEY_NOT_FOUND));
    store.put(put("a", "kept").toBuilder().setLease(1).build());
    store.put(p);
    KeyValue kv = only(get("a"));
    assertThat(kv.getValue()).isEqualTo(bs("kept"));
    assertThat(kv.getLease()).isZero();
  }

  @Test
  void failureHalfWayThroughTxnRollsBackEarlierWrites() {
    // etcd lets a delete to "\0" through its overlap check; the put that needs the deleted key
    // then fails after the delete wrote. The whole transaction must leave no trace.
    store.put(put("a", "1").toBuilder().setLease(2).build());
    TxnRequest txn = TxnRequest.newBuilder()
        .addSuccess(op(DeleteRangeRequest.newBuilder().setKey(bs("a"))
            .setRangeEnd(ByteString.copyFrom(new byte[] {0})).build()))
        .addSuccess(op(PutRequest.newBuilder().setKey(bs("a")).setIgnoreValue(true).build()))
        .build();
    KvRequestValidator.checkTxn(txn, 128);
    assertThatThrownBy(() -> store.txn(txn)).isInstanceOfSatisfying(KvException.class,
        e -> assertThat(e.error()).isEqualTo(KvError.KEY_NOT_FOUND));
    assertThat(store.currentRevision()).isEqualTo(2);
    assertThat(only(get("a")).getVersion()).isEqualTo(1);
    assertThat(store.keysWithLease(2)).containsExactly(bs("a"));
    store.put(put("a", "2"));
    assertThat(only(get("a")).getVersion()).isEqualTo(2);
  }

  @Test
  void sortNoneWithOtherTargetSortsOnlyTheFirstLimitPlusOneKeys() {
    store.put(put("a", "1"));
    store.put(put("a", "2"));
    store.put(put("a", "3"));
    store.put(put("b", "1"));
    store.put(put("c", "1"));
    store.put(put("c", "2"));
    RangeRequest byVersion = RangeRequest.newBuilder().setKey(bs("a"))
        .setRangeEnd(ByteString.copyFrom(new byte[] {0}))
        .setSortTarget(RangeRequest.SortTarget.VERSION).setLimit(1).build();
    // Fetches a and b (limit + 1) in key order, sorts them ascending by version: b first.
    assertThat(store.range(byVersion).getKvs(0).getKey()).isEqualTo(bs("b"));
    RangeRequest descend = byVersion.toBuilder().setSortOrder(RangeRequest.SortOrder.DESCEND)
        .build();
    assertThat(store.range(descend).getKvs(0).getKey()).isEqualTo(bs("a"));
  }

  @Test
  void compactionKeepsLatestVersionOfEveryLiveKey() {
    store.put(put("a", "1"));
    store.put(put("a", "2"));
    store.put(put("b", "1"));
    store.deleteRange(delete("b"));
    store.put(put("c", "1"));
    long rev = store.currentRevision();
    store.compact(compactAt(rev));
    RangeResponse at = store.range(RangeRequest.newBuilder().setKey(bs("a"))
        .setRangeEnd(ByteString.copyFrom(new byte[] {0})).setRevision(rev).build());
    assertThat(at.getKvsList()).extracting(kv -> kv.getValue().toStringUtf8())
        .containsExactly("2", "1");
    assertThat(at.getKvs(0).getVersion()).isEqualTo(2);
    store.put(put("a", "3"));
    assertThat(only(get("a")).getVersion()).isEqualTo(3);
    assertThat(only(get("a")).getCreateRevision()).isEqualTo(2);
  }

  @Test
  void compactionDropsKeysDeletedBeforeIt() {
    store.put(put("a", "1"));
    store.deleteRange(delete("a"));
    store.put(put("b", "1"));
    long before = store.sizeInUseBytes();
    store.compact(compactAt(4));
    assertThat(store.sizeInUseBytes()).isLessThan(before);
    assertThat(store.eventsSince(4, 4, bs("a"), ByteString.EMPTY, 10, true).events()).isEmpty();
    store.put(put("a", "2"));
    assertThat(only(get("a")).getVersion()).isEqualTo(1);
  }

  @Test
  void watchFromCompactedRevisionStillSeesDeleteAtThatRevision() throws IOException {
    store.put(put("k", "v"));
    store.deleteRange(delete("k"));
    store.compact(compactAt(3));
    Event delete = Event.newBuilder().setType(Event.EventType.DELETE)
        .setKv(KeyValue.newBuilder().setKey(bs("k")).setModRevision(3)).build();
    // The revision before the delete is compacted, so there is no prev_kv even when asked for.
    assertThat(store.eventsSince(3, 10, bs("k"), ByteString.EMPTY, 10, true).events())
        .containsExactly(delete);
    assertThat(store.eventsSince(3, 10, bs("k"), ByteString.EMPTY, 10, false).events())
        .containsExactly(delete);
    RangeRequest atCompaction = get("k").toBuilder().setRevision(3).build();
    assertThat(store.range(atCompaction).getKvsList()).isEmpty();
    assertThat(store.range(atCompaction.toBuilder().setCountOnly(true).build()).getCount())
        .isZero();

    try (MvccStore restored = snapshotAndRestore(store)) {
      assertThat(restored.eventsSince(3, 10, bs("k"), ByteString.EMPTY, 10, true).events())
          .containsExactly(delete);
      assertThat(restored.range(atCompaction).getKvsList()).isEmpty();
      // The tombstone lives until the next compaction, which drops the key for good.
      restored.put(put("k", "w"));
      long before = restored.sizeInUseBytes();
      restored.compact(compactAt(4));
      assertThat(restored.sizeInUseBytes()).isLessThan(before);
      assertThat(restored.eventsSince(4, 10, bs("k"), ByteString.EMPTY, 10, true).events())
          .extracting(Event::getType).containsExactly(Event.EventType.PUT);
      assertThat(restored.range(get("k")).getKvs(0).getVersion()).isEqualTo(1);
    }
  }

  @Test
  void compactionAtRevisionThatDeletedAndRecreatedAKeyKeepsBothEvents() throws IOException {
    store.put(put("b", "1"));
    // A delete ending at "\0" passes the overlap check, so the put may re-create a key it
    // deleted in the same revision.
    TxnRequest deleteAllThenPut = TxnRequest.newBuilder()
        .addSuccess(op(DeleteRangeRequest.newBuilder().setKey(bs("a"))
            .setRangeEnd(ByteString.copyFrom(new byte[] {0})).build()))
        .addSuccess(op(put("b", "2"))).build();
    KvRequestValidator.checkTxn(deleteAllThenPut, 128);
    store.txn(deleteAllThenPut);
    store.compact(compactAt(3));
    assertThat(store.eventsSince(3, 3, bs("b"), ByteString.EMPTY, 10, true).events())
        .extracting(Event::getType)
        .containsExactly(Event.EventType.DELETE, Event.EventType.PUT);
    KeyValue b = only(get("b").toBuilder().setRevision(3).build());
    assertThat(b.getValue()).isEqualTo(bs("2"));
    assertThat(b.getVersion()).isEqualTo(1);
    try (MvccStore restored = snapshotAndRestore(store)) {
      assertThat(restored.eventsSince(3, 3, bs("b"), ByteString.EMPTY, 10, true).events())
          .isEqualTo(store.eventsSince(3, 3, bs("b"), ByteString.EMPTY, 10, true).events());
      assertThat(restored.range(get("b")).getKvsList()).containsExactly(b);
    }
  }

  @Test
  void compactionAtRevisionDropsPutsThatTheSameRevisionDeleted() {
    // Nested transactions may put a key and then delete it; the check looks only the other way.
    TxnRequest putThenDelete = TxnRequest.newBuilder()
        .addSuccess(nested(TxnRequest.newBuilder().addSuccess(op(put("a", "1"))).build()))
        .addSuccess(nested(TxnRequest.newBuilder().addSuccess(op(delete("a"))).build()))
        .build();
    KvRequestValidator.checkTxn(putThenDelete, 128);
    store.txn(putThenDelete);
    assertThat(store.eventsSince(2, 2, bs("a"), ByteString.EMPTY, 10, false).events())
        .extracting(Event::getType)
        .containsExactly(Event.EventType.PUT, Event.EventType.DELETE);
    store.compact(compactAt(2));
    assertThat(store.eventsSince(2, 2, bs("a"), ByteString.EMPTY, 10, false).events())
        .extracting(Event::getType).containsExactly(Event.EventType.DELETE);
  }

  @Test
  void unknownSortOrderFetchesEverythingAndSortsNothing() {
    store.put(put("a/b/1", "x"));
    store.put(put("a/b/1", "y"));
    store.put(put("a/a", "1"));
    store.put(put("a/c", "1"));
    RangeRequest seen = RangeRequest.newBuilder().setKey(bs("a/b/1")).setSortOrderValue(4)
        .setSortTarget(RangeRequest.SortTarget.MOD).setKeysOnly(true).setCountOnly(true)
        .setMaxModRevision(7).build();
    KvRequestValidator.checkRange(seen);
    RangeResponse resp = store.range(seen);
    assertThat(resp.getCount()).isEqualTo(1);
    assertThat(resp.getKvsList()).isEmpty();

    RangeRequest descendingByModLooking = prefix("a/").toBuilder().setSortOrderValue(4)
        .setSortTarget(RangeRequest.SortTarget.MOD).setLimit(2).build();
    KvRequestValidator.checkRange(descendingByModLooking);
    resp = store.range(descendingByModLooking);
    assertThat(resp.getKvsList()).extracting(kv -> kv.getKey().toStringUtf8())
        .containsExactly("a/a", "a/b/1");
    assertThat(resp.getMore()).isTrue();
    assertThat(resp.getCount()).isEqualTo(3);

    TxnRequest txn = TxnRequest.newBuilder().addSuccess(op(seen))
        .addSuccess(op(descendingByModLooking.toBuilder().setSortTargetValue(9).build()))
        .addSuccess(op(put("a/d", "1"))).build();
    KvRequestValidator.checkTxn(txn, 128);
    TxnResponse done = store.txn(txn);
    assertThat(done.getSucceeded()).isTrue();
    assertThat(done.getResponses(0).getResponseRange().getCount()).isEqualTo(1);
    assertThat(done.getResponses(1).getResponseRange().getKvsList())
        .extracting(kv -> kv.getKey().toStringUtf8()).containsExactly("a/a", "a/b/1");
  }

  private static RequestOp nested(TxnRequest t) {
    return RequestOp.newBuilder().setRequestTxn(t).build();
  }

  private static MvccStore snapshotAndRestore(MvccStore from) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    from.writeSnapshot(out);
    return MvccStore.restore(StoreFixture.options(), new ByteArrayInputStream(out.toByteArray()));
  }

  @Test
  void sizeStaysAfterCompactionUntilDefragment() {
    store.put(put("a", "1"));
    store.put(put("a", "2"));
    long size = store.sizeBytes();
    store.compact(compactAt(3));
    assertThat(store.sizeInUseBytes()).isLessThan(size);
    assertThat(store.sizeBytes()).isEqualTo(size);
    store.defragment();
    assertThat(store.sizeBytes()).isEqualTo(store.sizeInUseBytes());
    assertThat(store.reservedOffHeapBytes()).isGreaterThan(size);
  }

  @Test
  void compactAtOrBelowCompactedOrAboveCurrentFails() {
    store.put(put("a", "1"));
    store.compact(compactAt(2));
    assertThatThrownBy(() -> store.compact(compactAt(2))).isInstanceOfSatisfying(
        KvException.class, e -> assertThat(e.error()).isEqualTo(KvError.COMPACTED));
    assertThatThrownBy(() -> store.compact(compactAt(3))).isInstanceOfSatisfying(
        KvException.class, e -> assertThat(e.error()).isEqualTo(KvError.FUTURE_REVISION));
    assertThat(store.compactedRevision()).isEqualTo(2);
  }

  @Test
  void eventsCarryWholeKvForPutsAndKeyWithRevisionForDeletes() {
    List<Event> seen = new ArrayList<>();
    List<Long> revisions = new ArrayList<>();
    store.setEventListener((rev, events) -> {
      revisions.add(rev);
      seen.addAll(events);
    });
    store.put(put("a", "1").toBuilder().setLease(1).build());
    store.deleteRange(delete("a"));
    store.deleteRange(delete("a"));
    assertThat(revisions).containsExactly(2L, 3L);
    assertThat(seen.get(0).getType()).isEqualTo(Event.EventType.PUT);
    assertThat(seen.get(0).getKv().getLease()).isEqualTo(1);
    assertThat(seen.get(0).hasPrevKv()).isFalse();
    Event del = seen.get(1);
    assertThat(del.getType()).isEqualTo(Event.EventType.DELETE);
    assertThat(del.getKv()).isEqualTo(KeyValue.newBuilder().setKey(bs("a")).setModRevision(3)
        .build());
    assertThat(del.getPrevKv().getValue()).isEqualTo(bs("1"));
    EventBatch history = store.eventsSince(2, 3, bs("a"), ByteString.EMPTY, 100, true);
    assertThat(history.events()).isEqualTo(seen);
    assertThat(history.nextRevision()).isEqualTo(4);
  }

  @Test
  void eventsSinceStopsAtRevisionBoundaryAfterMaxEvents() {
    store.txn(TxnRequest.newBuilder().addSuccess(op(put("a", "1"))).addSuccess(op(put("b", "1")))
        .build());
    store.put(put("c", "1"));
    EventBatch batch = store.eventsSince(1, 10, bs("\0"), ByteString.copyFrom(new byte[] {0}), 1,
        false);
    assertThat(batch.events()).hasSize(2);
    assertThat(batch.nextRevision()).isEqualTo(3);
  }

  @Test
  void leaseIndexFollowsPutsAndDeletes() {
    store.put(put("a", "1").toBuilder().setLease(1).build());
    store.put(put("b", "1").toBuilder().setLease(1).build());
    store.put(put("b", "2").toBuilder().setLease(2).build());
    assertThat(store.keysWithLease(1)).containsExactly(bs("a"));
    assertThat(store.keysWithLease(2)).containsExactly(bs("b"));
    store.deleteRange(delete("a"));
    assertThat(store.keysWithLease(1)).isEmpty();
  }

  @Test
  void kubernetesCompactionRaceLoserSeesWinnersValue() {
    Compare versionIs0 = Compare.newBuilder().setKey(bs("compact_rev_key"))
        .setTarget(Compare.CompareTarget.VERSION).setResult(Compare.CompareResult.EQUAL)
        .setVersion(0).build();
    TxnRequest claim = TxnRequest.newBuilder().addCompare(versionIs0)
        .addSuccess(op(put("compact_rev_key", "1"))).addFailure(op(get("compact_rev_key")))
        .build();
    assertThat(store.txn(claim).getSucceeded()).isTrue();
    TxnResponse loser = store.txn(claim);
    assertThat(loser.getSucceeded()).isFalse();
    KeyValue winner = loser.getResponses(0).getResponseRange().getKvs(0);
    assertThat(winner.getVersion()).isEqualTo(1);
    assertThat(winner.getValue()).isEqualTo(bs("1"));
  }
}
