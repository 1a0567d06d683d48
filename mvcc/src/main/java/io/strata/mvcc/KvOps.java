package io.strata.mvcc;

import com.google.protobuf.ByteString;
import io.strata.api.etcdserverpb.DeleteRangeRequest;
import io.strata.api.etcdserverpb.DeleteRangeResponse;
import io.strata.api.etcdserverpb.PutRequest;
import io.strata.api.etcdserverpb.PutResponse;
import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.etcdserverpb.RequestOp;
import io.strata.api.etcdserverpb.ResponseHeader;
import io.strata.api.etcdserverpb.ResponseOp;
import io.strata.api.etcdserverpb.TxnResponse;
import io.strata.api.mvccpb.KeyValue;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Put, DeleteRange and transactions applied to the store with etcd's semantics. Every check
 * that can refuse a request runs before its first change, so a refused request changes nothing.
 */
final class KvOps {
  private final LeaseLookup leases;

  KvOps(LeaseLookup leases) {
    this.leases = leases;
  }

  /** The checks of a Put that etcd makes against the state before the write. */
  void checkPut(ReadView view, PutRequest p) {
    if (p.getIgnoreValue() || p.getIgnoreLease()) {
      if (view.rangeKeys(KeyRange.of(p.getKey(), ByteString.EMPTY), 0, 0, false).kvs()
          .isEmpty()) {
        throw new KvException(KvError.KEY_NOT_FOUND);
      }
    }
    checkLease(p);
  }

  void checkLease(PutRequest p) {
    if (p.getLease() != 0 && !leases.exists(p.getLease())) {
      throw new KvException(KvError.LEASE_NOT_FOUND);
    }
  }

  /** A range inside a transaction must name a revision the transaction's view can read. */
  static void checkRange(ReadView view, RangeRequest r) {
    if (r.getRevision() == 0) {
      return;
    }
    if (r.getRevision() > view.rev()) {
      throw new KvException(KvError.FUTURE_REVISION);
    }
    if (r.getRevision() < view.firstRev()) {
      throw new KvException(KvError.COMPACTED);
    }
  }

  PutResponse put(WriteTxn txn, PutRequest p) {
    KeyValue prev = null;
    if (p.getIgnoreValue() || p.getIgnoreLease() || p.getPrevKv()) {
      List<KeyValue> found =
          txn.rangeKeys(KeyRange.of(p.getKey(), ByteString.EMPTY), 0, 0, false).kvs();
      prev = found.isEmpty() ? null : found.get(0);
    }
    if ((p.getIgnoreValue() || p.getIgnoreLease()) && prev == null) {
      throw new KvException(KvError.KEY_NOT_FOUND);
    }
    ByteString value = p.getIgnoreValue() ? prev.getValue() : p.getValue();
    long lease = p.getIgnoreLease() ? prev.getLease() : p.getLease();
    PutResponse.Builder resp = PutResponse.newBuilder();
    if (p.getPrevKv() && prev != null) {
      resp.setPrevKv(prev);
    }
    long rev = txn.put(p.getKey(), value, lease);
    return resp.setHeader(ResponseHeader.newBuilder().setRevision(rev)).build();
  }

  DeleteRangeResponse deleteRange(WriteTxn txn, DeleteRangeRequest d) {
    KeyRange range = KeyRange.of(d.getKey(), d.getRangeEnd());
    DeleteRangeResponse.Builder resp = DeleteRangeResponse.newBuilder();
    if (d.getPrevKv()) {
      resp.addAllPrevKvs(txn.rangeKeys(range, 0, 0, false).kvs());
    }
    long deleted = txn.deleteRange(range);
    return resp.setDeleted(deleted)
        .setHeader(ResponseHeader.newBuilder().setRevision(txn.rev()))
        .build();
  }

  /** Runs the checks etcd makes on the ops of the chosen branches, nested ones included. */
  void checkTxn(ReadView view, TxnPath path, boolean write) {
    if (write) {
      forEachOp(path, op -> {
        if (op.hasRequestPut()) {
          checkPut(view, op.getRequestPut());
        }
      });
    }
    forEachOp(path, op -> {
      if (op.hasRequestRange()) {
        checkRange(view, op.getRequestRange());
      }
    });
  }

  private static void forEachOp(TxnPath path, Consumer<RequestOp> check) {
    Iterator<TxnPath> nested = path.nested().iterator();
    for (RequestOp op : path.ops()) {
      if (op.hasRequestTxn()) {
        forEachOp(nested.next(), check);
      } else {
        check.accept(op);
      }
    }
  }

  /**
   * Applies the chosen branches. {@code write} is null for a read-only transaction, whose
   * ranges read {@code view}. Nested responses carry an empty header, as etcd's do.
   */
  TxnResponse.Builder apply(ReadView view, WriteTxn write, TxnPath path) {
    TxnResponse.Builder resp = TxnResponse.newBuilder().setSucceeded(path.succeeded());
    Iterator<TxnPath> nested = path.nested().iterator();
    for (RequestOp op : path.ops()) {
      ResponseOp.Builder out = ResponseOp.newBuilder();
      switch (op.getRequestCase()) {
        case REQUEST_RANGE:
          out.setResponseRange(RangeOp.apply(write != null ? write : view, op.getRequestRange()));
          break;
        case REQUEST_PUT:
          out.setResponsePut(put(write, op.getRequestPut()));
          break;
        case REQUEST_DELETE_RANGE:
          out.setResponseDeleteRange(deleteRange(write, op.getRequestDeleteRange()));
          break;
        case REQUEST_TXN:
          out.setResponseTxn(apply(view, write, nested.next())
              .setHeader(ResponseHeader.getDefaultInstance()));
          break;
        default:
          break;
      }
      resp.addResponses(out);
    }
    return resp;
  }
}
