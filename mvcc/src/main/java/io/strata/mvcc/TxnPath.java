package io.strata.mvcc;

import com.google.protobuf.ByteString;
import io.strata.api.etcdserverpb.Compare;
import io.strata.api.etcdserverpb.RequestOp;
import io.strata.api.etcdserverpb.TxnRequest;
import io.strata.api.mvccpb.KeyValue;
import java.util.ArrayList;
import java.util.List;

/**
 * The branches a transaction takes, decided before any of it runs: every compare, nested ones
 * included, sees the state before the transaction (as in etcd, where the whole path is computed
 * on a read view first). {@code nested} holds, in order, the paths of the {@code request_txn}
 * operations of the chosen branch.
 */
record TxnPath(boolean succeeded, List<RequestOp> ops, List<TxnPath> nested) {

  static TxnPath decide(ReadView view, TxnRequest txn) {
    boolean succeeded = true;
    for (Compare c : txn.getCompareList()) {
      if (!holds(view, c)) {
        succeeded = false;
        break;
      }
    }
    List<RequestOp> ops = succeeded ? txn.getSuccessList() : txn.getFailureList();
    List<TxnPath> nested = new ArrayList<>();
    for (RequestOp op : ops) {
      if (op.hasRequestTxn()) {
        nested.add(decide(view, op.getRequestTxn()));
      }
    }
    return new TxnPath(succeeded, ops, nested);
  }

  /**
   * A compare over a range holds when every key in it satisfies it. A missing key compares as
   * a key-value of zeros, except that a VALUE compare on no key at all always fails (an empty
   * value and a missing one look the same on the wire).
   */
  static boolean holds(ReadView view, Compare c) {
    RangeResult rr;
    try {
      rr = view.rangeKeys(KeyRange.of(c.getKey(), c.getRangeEnd()), 0, 0, false);
    } catch (KvException e) {
      return false;
    }
    if (rr.kvs().isEmpty()) {
      if (c.getTargetValue() == Compare.CompareTarget.VALUE_VALUE) {
        return false;
      }
      return compare(c, KeyValue.getDefaultInstance());
    }
    for (KeyValue kv : rr.kvs()) {
      if (!compare(c, kv)) {
        return false;
      }
    }
    return true;
  }

  /** One key-value against a compare. The operand is zero when the union holds another field. */
  static boolean compare(Compare c, KeyValue kv) {
    Compare.TargetUnionCase union = c.getTargetUnionCase();
    int result;
    switch (c.getTargetValue()) {
      case Compare.CompareTarget.VALUE_VALUE:
        result = KeyRange.ORDER.compare(kv.getValue(),
            union == Compare.TargetUnionCase.VALUE ? c.getValue() : ByteString.EMPTY);
        break;
      case Compare.CompareTarget.CREATE_VALUE:
        result = Long.compare(kv.getCreateRevision(),
            union == Compare.TargetUnionCase.CREATE_REVISION ? c.getCreateRevision() : 0);
        break;
      case Compare.CompareTarget.MOD_VALUE:
        result = Long.compare(kv.getModRevision(),
            union == Compare.TargetUnionCase.MOD_REVISION ? c.getModRevision() : 0);
        break;
      case Compare.CompareTarget.VERSION_VALUE:
        result = Long.compare(kv.getVersion(),
            union == Compare.TargetUnionCase.VERSION ? c.getVersion() : 0);
        break;
      case Compare.CompareTarget.LEASE_VALUE:
        result = Long.compare(kv.getLease(),
            union == Compare.TargetUnionCase.LEASE ? c.getLease() : 0);
        break;
      default:
        result = 0;
    }
    switch (c.getResultValue()) {
      case Compare.CompareResult.EQUAL_VALUE:
        return result == 0;
      case Compare.CompareResult.NOT_EQUAL_VALUE:
        return result != 0;
      case Compare.CompareResult.GREATER_VALUE:
        return result > 0;
      case Compare.CompareResult.LESS_VALUE:
        return result < 0;
      default:
        return true;
    }
  }

  /**
   * Whether the request can write: any operation that is not a Range (a nested transaction or
   * an empty operation included) makes it a write transaction, as in etcd.
   */
  static boolean isReadOnly(TxnRequest txn) {
    for (RequestOp op : txn.getSuccessList()) {
      if (!op.hasRequestRange()) {
        return false;
      }
    }
    for (RequestOp op : txn.getFailureList()) {
      if (!op.hasRequestRange()) {
        return false;
      }
    }
    return true;
  }
}
