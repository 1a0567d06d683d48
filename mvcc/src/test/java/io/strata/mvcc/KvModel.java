package io.strata.mvcc;

import com.google.protobuf.ByteString;
import io.strata.api.etcdserverpb.Compare;
import io.strata.api.etcdserverpb.CompactionRequest;
import io.strata.api.etcdserverpb.CompactionResponse;
import io.strata.api.etcdserverpb.DeleteRangeRequest;
import io.strata.api.etcdserverpb.DeleteRangeResponse;
import io.strata.api.etcdserverpb.PutRequest;
import io.strata.api.etcdserverpb.PutResponse;
import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.etcdserverpb.RangeResponse;
import io.strata.api.etcdserverpb.RequestOp;
import io.strata.api.etcdserverpb.ResponseHeader;
import io.strata.api.etcdserverpb.ResponseOp;
import io.strata.api.etcdserverpb.TxnRequest;
import io.strata.api.etcdserverpb.TxnResponse;
import io.strata.api.mvccpb.Event;
import io.strata.api.mvccpb.KeyValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A plain model of etcd's KV semantics: a full copy of the key space for every revision, and
 * the events of every revision. Slow and obviously right; the store is checked against it.
 */
final class KvModel {
  static final Comparator<ByteString> ORDER = ByteString.unsignedLexicographicalComparator();
  private static final ByteString NUL = ByteString.copyFrom(new byte[] {0});

  private final TreeMap<Long, TreeMap<ByteString, KeyValue>> states = new TreeMap<>();
  private final TreeMap<Long, List<Event>> events = new TreeMap<>();
  private final Set<Long> leases;
  long current = 1;
  long compacted = -1;

  KvModel(Set<Long> leases) {
    this.leases = leases;
    states.put(1L, new TreeMap<>(ORDER));
  }

  List<Event> eventsAt(long rev) {
    return events.getOrDefault(rev, List.of());
  }

  private TreeMap<ByteString, KeyValue> state(long rev) {
    return states.get(rev);
  }

  static boolean inRange(ByteString k, ByteString key, ByteString end) {
    if (end.isEmpty()) {
      return k.equals(key);
    }
    if (ORDER.compare(k, key) < 0) {
      return false;
    }
    return end.equals(NUL) || ORDER.compare(k, end) < 0;
  }

  private static List<KeyValue> select(TreeMap<ByteString, KeyValue> state, ByteString key,
      ByteString end) {
    List<KeyValue> out = new ArrayList<>();
    for (Map.Entry<ByteString, KeyValue> e : state.entrySet()) {
      if (inRange(e.getKey(), key, end)) {
        out.add(e.getValue());
      }
    }
    return out;
  }

  // ---- Range ----

  RangeResponse range(RangeRequest r) {
    return rangeIn(r, current, state(current), current);
  }

  /** A range in a view that sees {@code viewState} as revision {@code viewRev}. */
  private RangeResponse rangeIn(RangeRequest r, long viewRev,
      TreeMap<ByteString, KeyValue> viewState, long headerRev) {
    long rev = r.getRevision();
    if (rev > viewRev) {
      throw new KvException(KvError.FUTURE_REVISION);
    }
    if (rev <= 0) {
      rev = viewRev;
    }
    if (rev < compacted) {
      throw new KvException(KvError.COMPACTED);
    }
    TreeMap<ByteString, KeyValue> at = rev == viewRev ? viewState : state(rev);
    List<KeyValue> all = select(at, r.getKey(), r.getRangeEnd());
    RangeResponse.Builder resp = RangeResponse.newBuilder()
        .setHeader(ResponseHeader.newBuilder().setRevision(headerRev))
        .setCount(all.size());
    if (r.getCountOnly()) {
      return resp.build();
    }
    boolean fetchAll = r.getSortOrder() != RangeRequest.SortOrder.NONE
        || r.getMinModRevision() != 0 || r.getMaxModRevision() != 0
        || r.getMinCreateRevision() != 0 || r.getMaxCreateRevision() != 0;
    List<KeyValue> kvs = new ArrayList<>(all);
    if (!fetchAll && r.getLimit() > 0 && kvs.size() > r.getLimit() + 1) {
      kvs = new ArrayList<>(kvs.subList(0, (int) r.getLimit() + 1));
    }
    drop(kvs, r.getMaxModRevision(), kv -> kv.getModRevision() > r.getMaxModRevision());
    drop(kvs, r.getMinModRevision(), kv -> kv.getModRevision() < r.getMinModRevision());
    drop(kvs, r.getMaxCreateRevision(), kv -> kv.getCreateRevision() > r.getMaxCreateRevision());
    drop(kvs, r.getMinCreateRevision(), kv -> kv.getCreateRevision() < r.getMinCreateRevision());
    RangeRequest.SortOrder order = r.getSortOrder();
    if (order == RangeRequest.SortOrder.NONE && r.getSortTarget() != RangeRequest.SortTarget.KEY) {
      order = RangeRequest.SortOrder.ASCEND;
    }
    // An order etcd does not know sorts nothing; a target it does not know never gets here
    // with a known order, the validator refuses that.
    Comparator<KeyValue> cmp = switch (r.getSortTarget()) {
      case KEY -> Comparator.comparing(KeyValue::getKey, ORDER);
      case VERSION -> Comparator.comparingLong(KeyValue::getVersion);
      case CREATE -> Comparator.comparingLong(KeyValue::getCreateRevision);
      case MOD -> Comparator.comparingLong(KeyValue::getModRevision);
      case VALUE -> Comparator.comparing(KeyValue::getValue, ORDER);
      default -> null;
    };
    if (cmp == null) {
      Invariants.check(order == RangeRequest.SortOrder.UNRECOGNIZED,
          "unknown sort target %d with order %s", r.getSortTargetValue(), order);
    } else if (order == RangeRequest.SortOrder.ASCEND) {
      kvs.sort(cmp);
    } else if (order == RangeRequest.SortOrder.DESCEND) {
      kvs.sort(cmp.reversed());
    }
    if (r.getLimit() > 0 && kvs.size() > r.getLimit()) {
      kvs = kvs.subList(0, (int) r.getLimit());
      resp.setMore(true);
    }
    for (KeyValue kv : kvs) {
      resp.addKvs(r.getKeysOnly() ? kv.toBuilder().setValue(ByteString.EMPTY).build() : kv);
    }
    return resp.build();
  }

  private static void drop(List<KeyValue> kvs, long bound, Predicate<KeyValue> out) {
    if (bound != 0) {
      kvs.removeIf(out);
    }
  }

  // ---- writes ----

  /** An open write: a working copy of the state and its changes. */
  private final class Write {
    final long beginRev = current;
    final TreeMap<ByteString, KeyValue> working = new TreeMap<>(state(current));
    final List<Event> changes = new ArrayList<>();

    long viewRev() {
      return changes.isEmpty() ? beginRev : beginRev + 1;
    }

    long put(ByteString key, ByteString value, long lease) {
      long rev = beginRev + 1;
      KeyValue prev = working.get(key);
      KeyValue kv = KeyValue.newBuilder().setKey(key).setValue(value)
          .setCreateRevision(prev == null ? rev : prev.getCreateRevision())
          .setModRevision(rev).setVersion(prev == null ? 1 : prev.getVersion() + 1)
          .setLease(lease).build();
      working.put(key, kv);
      // The store's listener gets puts without prev_kv; history fills it in on request.
      changes.add(Event.newBuilder().setType(Event.EventType.PUT).setKv(kv).build());
      return rev;
    }

    long delete(ByteString key, ByteString end) {
      List<KeyValue> gone = select(working, key, end);
      for (KeyValue prev : gone) {
        working.remove(prev.getKey());
        changes.add(Event.newBuilder().setType(Event.EventType.DELETE)
            .setKv(KeyValue.newBuilder().setKey(prev.getKey()).setModRevision(beginRev + 1))
            .setPrevKv(prev).build());
      }
      return gone.size();
    }

    long commit() {
      if (!changes.isEmpty()) {
        current = beginRev + 1;
        states.put(current, working);
        events.put(current, List.copyOf(changes));
      }
      return current;
    }
  }

  PutResponse put(PutRequest p) {
    if (p.getLease() != 0 && !leases.contains(p.getLease())) {
      throw new KvException(KvError.LEASE_NOT_FOUND);
    }
    Write w = new Write();
    PutResponse resp = putIn(w, p);
    w.commit();
    return resp;
  }

  private PutResponse putIn(Write w, PutRequest p) {
    KeyValue prev = w.working.get(p.getKey());
    if ((p.getIgnoreValue() || p.getIgnoreLease()) && prev == null) {
      throw new KvException(KvError.KEY_NOT_FOUND);
    }
    PutResponse.Builder resp = PutResponse.newBuilder();
    if (p.getPrevKv() && prev != null) {
      resp.setPrevKv(prev);
    }
    long rev = w.put(p.getKey(), p.getIgnoreValue() ? prev.getValue() : p.getValue(),
        p.getIgnoreLease() ? prev.getLease() : p.getLease());
    return resp.setHeader(ResponseHeader.newBuilder().setRevision(rev)).build();
  }

  DeleteRangeResponse deleteRange(DeleteRangeRequest d) {
    Write w = new Write();
    DeleteRangeResponse resp = deleteIn(w, d);
    w.commit();
    return resp;
  }

  private DeleteRangeResponse deleteIn(Write w, DeleteRangeRequest d) {
    DeleteRangeResponse.Builder resp = DeleteRangeResponse.newBuilder();
    if (d.getPrevKv()) {
      resp.addAllPrevKvs(select(w.working, d.getKey(), d.getRangeEnd()));
    }
    resp.setDeleted(w.delete(d.getKey(), d.getRangeEnd()));
    return resp.setHeader(ResponseHeader.newBuilder().setRevision(w.viewRev())).build();
  }

  // ---- Txn ----

  private boolean holds(Compare c) {
    List<KeyValue> kvs = select(state(current), c.getKey(), c.getRangeEnd());
    if (kvs.isEmpty()) {
      if (c.getTarget() == Compare.CompareTarget.VALUE) {
        return false;
      }
      kvs = List.of(KeyValue.getDefaultInstance());
    }
    for (KeyValue kv : kvs) {
      int result = switch (c.getTarget()) {
        case VALUE -> ORDER.compare(kv.getValue(), c.hasValue() ? c.getValue() : ByteString.EMPTY);
        case CREATE -> Long.compare(kv.getCreateRevision(),
            c.hasCreateRevision() ? c.getCreateRevision() : 0);
        case MOD -> Long.compare(kv.getModRevision(), c.hasModRevision() ? c.getModRevision() : 0);
        case VERSION -> Long.compare(kv.getVersion(), c.hasVersion() ? c.getVersion() : 0);
        case LEASE -> Long.compare(kv.getLease(), c.hasLease() ? c.getLease() : 0);
        default -> throw new IllegalArgumentException();
      };
      boolean ok = switch (c.getResult()) {
        case EQUAL -> result == 0;
        case NOT_EQUAL -> result != 0;
        case GREATER -> result > 0;
        case LESS -> result < 0;
        default -> throw new IllegalArgumentException();
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private List<RequestOp> branch(TxnRequest t) {
    return succeeded(t) ? t.getSuccessList() : t.getFailureList();
  }

  private boolean succeeded(TxnRequest t) {
    for (Compare c : t.getCompareList()) {
      if (!holds(c)) {
        return false;
      }
    }
    return true;
  }

  private void check(TxnRequest t, boolean write) {
    for (RequestOp op : branch(t)) {
      if (op.hasRequestTxn()) {
        check(op.getRequestTxn(), write);
      } else if (write && op.hasRequestPut()) {
        PutRequest p = op.getRequestPut();
        if ((p.getIgnoreValue() || p.getIgnoreLease()) && !state(current).containsKey(p.getKey())) {
          throw new KvException(KvError.KEY_NOT_FOUND);
        }
        if (p.getLease() != 0 && !leases.contains(p.getLease())) {
          throw new KvException(KvError.LEASE_NOT_FOUND);
        }
      }
    }
  }

  private void checkRanges(TxnRequest t) {
    for (RequestOp op : branch(t)) {
      if (op.hasRequestTxn()) {
        checkRanges(op.getRequestTxn());
      } else if (op.hasRequestRange()) {
        long rev = op.getRequestRange().getRevision();
        if (rev != 0 && rev > current) {
          throw new KvException(KvError.FUTURE_REVISION);
        }
        if (rev != 0 && rev < compacted) {
          throw new KvException(KvError.COMPACTED);
        }
      }
    }
  }

  private static boolean writes(TxnRequest t) {
    for (RequestOp op : t.getSuccessList()) {
      if (!op.hasRequestRange()) {
        return true;
      }
    }
    for (RequestOp op : t.getFailureList()) {
      if (!op.hasRequestRange()) {
        return true;
      }
    }
    return false;
  }

  TxnResponse txn(TxnRequest t) {
    boolean write = writes(t);
    check(t, write);
    checkRanges(t);
    Write w = new Write();
    // Decide every branch on the state before the transaction, then run them.
    TxnResponse.Builder resp = run(w, t);
    long rev = w.commit();
    return resp.setHeader(ResponseHeader.newBuilder().setRevision(rev)).build();
  }

  private TxnResponse.Builder run(Write w, TxnRequest t) {
    boolean ok = succeeded(t);
    TxnResponse.Builder resp = TxnResponse.newBuilder().setSucceeded(ok);
    for (RequestOp op : ok ? t.getSuccessList() : t.getFailureList()) {
      ResponseOp.Builder out = ResponseOp.newBuilder();
      if (op.hasRequestRange()) {
        out.setResponseRange(rangeIn(op.getRequestRange(), w.viewRev(), w.working, w.viewRev()));
      } else if (op.hasRequestPut()) {
        out.setResponsePut(putIn(w, op.getRequestPut()));
      } else if (op.hasRequestDeleteRange()) {
        out.setResponseDeleteRange(deleteIn(w, op.getRequestDeleteRange()));
      } else if (op.hasRequestTxn()) {
        out.setResponseTxn(run(w, op.getRequestTxn()).setHeader(ResponseHeader.getDefaultInstance()));
      }
      resp.addResponses(out);
    }
    return resp;
  }

  // ---- compaction and history ----

  CompactionResponse compact(CompactionRequest c) {
    if (c.getRevision() <= compacted) {
      throw new KvException(KvError.COMPACTED);
    }
    if (c.getRevision() > current) {
      throw new KvException(KvError.FUTURE_REVISION);
    }
    compacted = c.getRevision();
    states.headMap(compacted, false).clear();
    return CompactionResponse.newBuilder()
        .setHeader(ResponseHeader.newBuilder().setRevision(current)).build();
  }

  /**
   * Whether compaction keeps an event at the compacted revision: every delete (etcd 3.5 keeps
   * the tombstones at the compacted revision), and a put only when its key is still alive at
   * that revision with that very put (not one replaced later in the same revision).
   */
  private boolean survivesCompaction(Event e) {
    if (e.getType() == Event.EventType.DELETE) {
      return true;
    }
    KeyValue atCompaction = state(compacted).get(e.getKv().getKey());
    return atCompaction != null && atCompaction.equals(e.getKv());
  }

  /**
   * History from {@code from}: everything above the compacted revision; at the compacted
   * revision itself only what compaction keeps.
   */
  EventBatch eventsSince(long from, long to, ByteString key, ByteString end, int max,
      boolean withPrev) {
    if (from < compacted) {
      throw new KvException(KvError.COMPACTED);
    }
    List<Event> out = new ArrayList<>();
    long rev = Math.max(1, from);
    for (; rev <= Math.min(to, current) && out.size() < max; rev++) {
      for (Event e : eventsAt(rev)) {
        if (rev == compacted && !survivesCompaction(e)) {
          continue;
        }
        if (!inRange(e.getKv().getKey(), key, end)) {
          continue;
        }
        Event.Builder b = e.toBuilder().clearPrevKv();
        if (withPrev && rev - 1 >= compacted) {
          KeyValue prev = state(rev - 1) == null ? null : state(rev - 1).get(e.getKv().getKey());
          if (prev != null) {
            b.setPrevKv(prev);
          }
        }
        out.add(b.build());
      }
    }
    return new EventBatch(out, rev);
  }
}
