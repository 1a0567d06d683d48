package io.strata.mvcc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.google.protobuf.ByteString;
import io.strata.api.etcdserverpb.Compare;
import io.strata.api.etcdserverpb.CompactionRequest;
import io.strata.api.etcdserverpb.DeleteRangeRequest;
import io.strata.api.etcdserverpb.PutRequest;
import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.etcdserverpb.RequestOp;
import io.strata.api.etcdserverpb.TxnRequest;
import io.strata.api.mvccpb.Event;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Random operation sequences against the store and against {@link KvModel}; every response,
 * every error and every event must match field by field. A failure names the seed and the step:
 * rerun with {@code -Dmvcc.seed=<seed>} to replay just that one. {@code -Dmvcc.seeds},
 * {@code -Dmvcc.firstSeed} and {@code -Dmvcc.steps} make longer runs.
 */
class MvccStoreModelTest {
  private static final int SEEDS = Integer.getInteger("mvcc.seeds", 300);
  private static final long FIRST_SEED = Long.getLong("mvcc.firstSeed", 1);
  private static final int STEPS = Integer.getInteger("mvcc.steps", 300);
  private static final int MAX_TXN_OPS = 128;

  private static final List<ByteString> KEYS = List.of(
      bs("a"), bs("a/1"), bs("a/2"), bs("a/3"), bs("b"), bs("b/1"), bs("c"), bs("d"),
      ByteString.copyFrom(new byte[] {(byte) 0xff}), ByteString.copyFrom(new byte[] {0x61, 0}));
  private static final ByteString NUL = ByteString.copyFrom(new byte[] {0});

  // How often each kind of outcome occurred, so that a generator that stops reaching a case
  // shows up in the test output.
  private final Map<String, Integer> outcomes = new java.util.TreeMap<>();

  @Test
  void storeBehavesLikeTheModel() throws IOException {
    Long only = Long.getLong("mvcc.seed");
    if (only != null) {
      runSeed(only);
      return;
    }
    for (long seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
      runSeed(seed);
    }
    System.out.println("outcomes: " + outcomes);
  }

  private void runSeed(long seed) throws IOException {
    Random rnd = new Random(seed);
    KvModel model = new KvModel(StoreFixture.LEASES);
    Map<Long, List<Event>> published = new HashMap<>();
    MvccStore[] holder = {StoreFixture.open()};
    holder[0].setEventListener((rev, evs) -> published.put(rev, evs));
    try {
      for (int step = 0; step < STEPS; step++) {
        String where = "seed " + seed + " step " + step;
        MvccStore store = holder[0];
        long before = model.current;
        int dice = rnd.nextInt(100);
        if (dice < 25) {
          PutRequest p = randomPut(rnd);
          if (valid(() -> KvRequestValidator.checkPut(p), "put")) {
            same(where + " put " + p, () -> store.put(p), () -> model.put(p));
          }
        } else if (dice < 35) {
          DeleteRangeRequest d = DeleteRangeRequest.newBuilder().setKey(key(rnd))
              .setRangeEnd(rangeEnd(rnd)).setPrevKv(rnd.nextBoolean()).build();
          same(where + " delete " + d, () -> store.deleteRange(d), () -> model.deleteRange(d));
        } else if (dice < 60) {
          RangeRequest r = randomRange(rnd, model);
          if (valid(() -> KvRequestValidator.checkRange(r), "range")) {
            same(where + " range " + r, () -> store.range(r), () -> model.range(r));
          }
        } else if (dice < 85) {
          TxnRequest t = randomTxn(rnd, model, 0, new ArrayList<>(KEYS));
          if (valid(() -> KvRequestValidator.checkTxn(t, MAX_TXN_OPS), "txn")) {
            same(where + " txn " + t, () -> store.txn(t), () -> model.txn(t));
          }
        } else if (dice < 89) {
          long rev = model.compacted + rnd.nextInt((int) (model.current - model.compacted) + 3) - 1;
          CompactionRequest c = CompactionRequest.newBuilder().setRevision(rev)
              .setPhysical(rnd.nextBoolean()).build();
          same(where + " compact " + rev, () -> store.compact(c), () -> model.compact(c));
        } else if (dice < 97) {
          long from = Math.max(0, model.compacted) + rnd.nextInt(
              (int) (model.current - Math.max(0, model.compacted)) + 2) - 1;
          long to = from + rnd.nextInt(20);
          ByteString k = key(rnd);
          ByteString end = rangeEnd(rnd);
          int max = 1 + rnd.nextInt(10);
          boolean prev = rnd.nextBoolean();
          same(where + " events from " + from + " to " + to,
              () -> store.eventsSince(from, to, k, end, max, prev),
              () -> model.eventsSince(from, to, k, end, max, prev));
        } else if (dice < 98) {
          MvccStore restored = snapshotAndRestore(store, where);
          store.close();
          restored.setEventListener((rev, evs) -> published.put(rev, evs));
          holder[0] = restored;
        } else {
          assertThat(store.currentRevision()).as(where).isEqualTo(model.current);
          assertThat(store.compactedRevision()).as(where).isEqualTo(Math.max(0, model.compacted));
        }
        if (model.current != before) {
          assertThat(published.remove(model.current)).as(where + " events of " + model.current)
              .isEqualTo(model.eventsAt(model.current));
        }
        assertThat(published).as(where + " unexpected events").isEmpty();
      }
    } finally {
      holder[0].close();
    }
  }

  // Snapshot and restore replace the store in the middle of a run, so the loop continues on
  // the restored one.
  private int restores;

  private MvccStore snapshotAndRestore(MvccStore store, String where) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    store.writeSnapshot(out);
    MvccStore restored;
    if (restores++ % 2 == 0) {
      restored = MvccStore.restore(StoreFixture.options(), new ByteArrayInputStream(out.toByteArray()));
    } else {
      // Every other restore leaves the records where they lie in the snapshot's bytes.
      SnapshotInput input = new SnapshotInput(ByteString.copyFrom(out.toByteArray()));
      try (MvccStore.Restore restore = MvccStore.beginRestore(StoreFixture.options(), input)) {
        restore.section(input);
        restored = restore.finish();
      }
    }
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    restored.writeSnapshot(again);
    assertThat(again.toByteArray()).as(where + " snapshot of the restored store")
        .isEqualTo(out.toByteArray());
    return restored;
  }

  private boolean valid(Runnable check, String kind) {
    try {
      check.run();
      return true;
    } catch (KvException e) {
      outcomes.merge(kind + ":invalid:" + e.error(), 1, Integer::sum);
      return false;
    }
  }

  private <T> void same(String what, Supplier<T> actual, Supplier<T> expected) {
    T want = null;
    KvError wantError = null;
    try {
      want = expected.get();
    } catch (KvException e) {
      wantError = e.error();
    }
    String kind = what.split(" ")[4];
    String outcome = wantError != null ? wantError.name()
        : want instanceof io.strata.api.etcdserverpb.TxnResponse t
            ? (t.getSucceeded() ? "succeeded" : "failed") + (t.toString().contains("response_txn")
                ? "+nested" : "")
            : want instanceof io.strata.api.etcdserverpb.RangeResponse r
                ? (r.getMore() ? "more" : "") + (r.getKvsCount() > 1 ? "many" : "")
                : "ok";
    outcomes.merge(kind + ":" + outcome, 1, Integer::sum);
    T got;
    try {
      got = actual.get();
    } catch (KvException e) {
      if (wantError == null) {
        fail(what + ": store refused with " + e.error() + " but the model answered " + want);
      }
      assertThat(e.error()).as(what).isEqualTo(wantError);
      return;
    }
    if (wantError != null) {
      fail(what + ": model refused with " + wantError + " but the store answered " + got);
    }
    assertThat(got).as(what).isEqualTo(want);
  }

  // ---- generators ----

  static ByteString bs(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static ByteString key(Random rnd) {
    return KEYS.get(rnd.nextInt(KEYS.size()));
  }

  private static ByteString rangeEnd(Random rnd) {
    switch (rnd.nextInt(5)) {
      case 0:
      case 1:
        return ByteString.EMPTY;
      case 2:
        return NUL;
      default:
        return key(rnd);
    }
  }

  private static ByteString value(Random rnd) {
    return bs("v" + rnd.nextInt(6));
  }

  private static long lease(Random rnd) {
    int pick = rnd.nextInt(10);
    return pick < 6 ? 0 : pick < 9 ? pick - 5 : 99;
  }

  private static PutRequest randomPut(Random rnd) {
    return randomPut(rnd, key(rnd));
  }

  private static PutRequest randomPut(Random rnd, ByteString key) {
    PutRequest.Builder p = PutRequest.newBuilder().setKey(key).setPrevKv(rnd.nextBoolean());
    if (rnd.nextInt(8) == 0) {
      p.setIgnoreValue(true);
    } else {
      p.setValue(value(rnd));
    }
    if (rnd.nextInt(8) == 0) {
      p.setIgnoreLease(true);
    } else {
      p.setLease(lease(rnd));
    }
    return p.build();
  }

  private static long revision(Random rnd, KvModel model) {
    if (rnd.nextBoolean()) {
      return 0;
    }
    return Math.max(0, model.compacted) + rnd.nextInt(
        (int) (model.current - Math.max(0, model.compacted)) + 3) - 1;
  }

  private static RangeRequest randomRange(Random rnd, KvModel model) {
    RangeRequest.Builder r = RangeRequest.newBuilder().setKey(key(rnd)).setRangeEnd(rangeEnd(rnd))
        .setRevision(revision(rnd, model));
    if (rnd.nextBoolean()) {
      r.setLimit(rnd.nextInt(5));
    }
    // Now and then an order or a target that etcd does not know (3 and up, 5 and up).
    if (rnd.nextInt(3) == 0) {
      r.setSortOrderValue(rnd.nextInt(8) == 0 ? 3 + rnd.nextInt(3) : rnd.nextInt(3));
    }
    if (rnd.nextInt(3) == 0) {
      r.setSortTargetValue(rnd.nextInt(12) == 0 ? 5 + rnd.nextInt(3) : rnd.nextInt(5));
    }
    r.setKeysOnly(rnd.nextInt(5) == 0).setCountOnly(rnd.nextInt(6) == 0);
    if (rnd.nextInt(6) == 0) {
      r.setMinModRevision(rnd.nextInt((int) model.current + 2));
    }
    if (rnd.nextInt(6) == 0) {
      r.setMaxModRevision(rnd.nextInt((int) model.current + 2));
    }
    if (rnd.nextInt(6) == 0) {
      r.setMinCreateRevision(rnd.nextInt((int) model.current + 2));
    }
    if (rnd.nextInt(6) == 0) {
      r.setMaxCreateRevision(rnd.nextInt((int) model.current + 2));
    }
    return r.build();
  }

  private static Compare randomCompare(Random rnd, KvModel model) {
    Compare.Builder c = Compare.newBuilder().setKey(key(rnd))
        .setResultValue(rnd.nextInt(4)).setTargetValue(rnd.nextInt(5));
    if (rnd.nextInt(4) == 0) {
      c.setRangeEnd(rangeEnd(rnd));
    }
    // Usually the operand matching the target; sometimes another one, which compares as zero.
    int operand = rnd.nextInt(6) == 0 ? rnd.nextInt(5) : c.getTargetValue();
    long n = rnd.nextInt((int) model.current + 2);
    switch (operand) {
      case 0 -> c.setVersion(rnd.nextInt(4));
      case 1 -> c.setCreateRevision(n);
      case 2 -> c.setModRevision(n);
      case 3 -> c.setValue(value(rnd));
      default -> c.setLease(rnd.nextInt(4));
    }
    return c.build();
  }

  /** A transaction whose puts and deletes mostly touch distinct keys, so most pass validation. */
  private static TxnRequest randomTxn(Random rnd, KvModel model, int depth, List<ByteString> free) {
    Collections.shuffle(free, rnd);
    TxnRequest.Builder t = TxnRequest.newBuilder();
    int compares = rnd.nextInt(3);
    for (int i = 0; i < compares; i++) {
      t.addCompare(randomCompare(rnd, model));
    }
    for (int branch = 0; branch < 2; branch++) {
      int ops = rnd.nextInt(4);
      for (int i = 0; i < ops; i++) {
        RequestOp op = randomOp(rnd, model, depth, free);
        if (branch == 0) {
          t.addSuccess(op);
        } else {
          t.addFailure(op);
        }
      }
    }
    return t.build();
  }

  private static RequestOp randomOp(Random rnd, KvModel model, int depth, List<ByteString> free) {
    int dice = rnd.nextInt(depth < 2 ? 10 : 8);
    if (dice < 3 || free.isEmpty()) {
      return RequestOp.newBuilder().setRequestRange(randomRange(rnd, model)).build();
    }
    if (dice < 6) {
      return RequestOp.newBuilder().setRequestPut(randomPut(rnd, free.remove(0))).build();
    }
    if (dice < 8) {
      DeleteRangeRequest.Builder d = DeleteRangeRequest.newBuilder().setPrevKv(rnd.nextBoolean());
      if (rnd.nextInt(4) == 0) {
        d.setKey(key(rnd)).setRangeEnd(rangeEnd(rnd));
      } else {
        d.setKey(free.remove(0));
      }
      return RequestOp.newBuilder().setRequestDeleteRange(d).build();
    }
    return RequestOp.newBuilder().setRequestTxn(randomTxn(rnd, model, depth + 1, free)).build();
  }
}
