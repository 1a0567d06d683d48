package io.strata.mvcc;

import com.google.protobuf.ByteString;
import io.strata.api.etcdserverpb.DeleteRangeRequest;
import io.strata.api.etcdserverpb.PutRequest;
import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.etcdserverpb.RequestOp;
import io.strata.api.etcdserverpb.TxnRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The checks etcd's gRPC layer makes before a request is proposed, in etcd's order, so that the
 * same malformed request gets the same error. They look only at the request, never at the
 * store.
 */
public final class KvRequestValidator {
  private KvRequestValidator() {}

  /**
   * etcd 3.5 checks only the key. A sort order it does not know means no sorting (the range
   * still fetches every key, as for any order but NONE), whatever the target, so such requests
   * are served. A target it does not know with a known order (NONE included, which turns into
   * ascending for any target but KEY) makes etcd 3.5 sort with no comparator, which crashes
   * the member; that one request is refused here instead.
   */
  public static void checkRange(RangeRequest r) {
    if (r.getKey().isEmpty()) {
      throw new KvException(KvError.KEY_NOT_PROVIDED);
    }
    if (RangeRequest.SortTarget.forNumber(r.getSortTargetValue()) == null
        && RangeRequest.SortOrder.forNumber(r.getSortOrderValue()) != null) {
      throw new KvException(KvError.INVALID_SORT_OPTION);
    }
  }

  public static void checkPut(PutRequest r) {
    if (r.getKey().isEmpty()) {
      throw new KvException(KvError.KEY_NOT_PROVIDED);
    }
    if (r.getIgnoreValue() && !r.getValue().isEmpty()) {
      throw new KvException(KvError.VALUE_PROVIDED);
    }
    if (r.getIgnoreLease() && r.getLease() != 0) {
      throw new KvException(KvError.LEASE_PROVIDED);
    }
  }

  public static void checkDeleteRange(DeleteRangeRequest r) {
    if (r.getKey().isEmpty()) {
      throw new KvException(KvError.KEY_NOT_PROVIDED);
    }
  }

  /**
   * The shape checks (operation counts, with nested transactions getting what the outer ones
   * left of {@code maxTxnOps}; keys; each operation), then the overlap check: no key may be put
   * twice, or put and deleted, by the operations that can run together.
   */
  public static void checkTxn(TxnRequest r, int maxTxnOps) {
    checkTxnShape(r, maxTxnOps);
    checkIntervals(r.getSuccessList());
    checkIntervals(r.getFailureList());
  }

  private static void checkTxnShape(TxnRequest r, int maxTxnOps) {
    int ops = Math.max(r.getCompareCount(), Math.max(r.getSuccessCount(), r.getFailureCount()));
    if (ops > maxTxnOps) {
      throw new KvException(KvError.TOO_MANY_TXN_OPS);
    }
    for (var c : r.getCompareList()) {
      if (c.getKey().isEmpty()) {
        throw new KvException(KvError.KEY_NOT_PROVIDED);
      }
    }
    for (RequestOp op : r.getSuccessList()) {
      checkOp(op, maxTxnOps - ops);
    }
    for (RequestOp op : r.getFailureList()) {
      checkOp(op, maxTxnOps - ops);
    }
  }

  private static void checkOp(RequestOp op, int maxTxnOps) {
    switch (op.getRequestCase()) {
      case REQUEST_RANGE:
        checkRange(op.getRequestRange());
        break;
      case REQUEST_PUT:
        checkPut(op.getRequestPut());
        break;
      case REQUEST_DELETE_RANGE:
        checkDeleteRange(op.getRequestDeleteRange());
        break;
      case REQUEST_TXN:
        checkTxnShape(op.getRequestTxn(), maxTxnOps);
        break;
      default:
        // An empty operation: etcd answers it with "key not found".
        throw new KvException(KvError.KEY_NOT_FOUND);
    }
  }

  /**
   * A deleted interval in etcd's check: {@code [start, end)} where an empty end is a single
   * key. An end of "\0" makes an interval that contains no key, as in etcd's interval tree,
   * where it sorts before any start.
   */
  private record Interval(ByteString start, ByteString end) {
    boolean contains(ByteString key) {
      if (end.isEmpty()) {
        return key.equals(start);
      }
      return KeyRange.ORDER.compare(start, key) <= 0 && KeyRange.ORDER.compare(key, end) < 0;
    }
  }

  private record PutsAndDeletes(Set<ByteString> puts, List<Interval> dels) {
    boolean deletes(ByteString key) {
      for (Interval d : dels) {
        if (d.contains(key)) {
          return true;
        }
      }
      return false;
    }
  }

  private static PutsAndDeletes checkIntervals(List<RequestOp> ops) {
    List<Interval> dels = new ArrayList<>();
    for (RequestOp op : ops) {
      if (op.hasRequestDeleteRange()) {
        DeleteRangeRequest d = op.getRequestDeleteRange();
        dels.add(new Interval(d.getKey(), d.getRangeEnd()));
      }
    }
    PutsAndDeletes here = new PutsAndDeletes(new HashSet<>(), dels);
    for (RequestOp op : ops) {
      if (!op.hasRequestTxn()) {
        continue;
      }
      PutsAndDeletes then = checkIntervals(op.getRequestTxn().getSuccessList());
      PutsAndDeletes otherwise = checkIntervals(op.getRequestTxn().getFailureList());
      for (ByteString k : then.puts()) {
        if (here.puts().contains(k) || here.deletes(k)) {
          throw new KvException(KvError.DUPLICATE_KEY);
        }
        here.puts().add(k);
      }
      for (ByteString k : otherwise.puts()) {
        // A key put by both branches of the same nested transaction is fine: only one runs.
        if ((here.puts().contains(k) && !then.puts().contains(k)) || here.deletes(k)) {
          throw new KvException(KvError.DUPLICATE_KEY);
        }
        here.puts().add(k);
      }
      dels.addAll(then.dels());
      dels.addAll(otherwise.dels());
    }
    for (RequestOp op : ops) {
      if (!op.hasRequestPut()) {
        continue;
      }
      ByteString k = op.getRequestPut().getKey();
      if (here.puts().contains(k) || here.deletes(k)) {
        throw new KvException(KvError.DUPLICATE_KEY);
      }
      here.puts().add(k);
    }
    return here;
  }
}
