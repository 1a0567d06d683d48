package io.strata.mvcc;

import com.google.protobuf.ByteString;
import io.strata.api.etcdserverpb.Compare;
import io.strata.api.etcdserverpb.DeleteRangeRequest;
import io.strata.api.etcdserverpb.PutRequest;
import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.etcdserverpb.RequestOp;

/** Short builders for requests in tests. */
final class Kv {
  private Kv() {}

  static ByteString bs(String s) {
    return ByteString.copyFromUtf8(s);
  }

  static PutRequest put(String key, String value) {
    return PutRequest.newBuilder().setKey(bs(key)).setValue(bs(value)).build();
  }

  static RangeRequest get(String key) {
    return RangeRequest.newBuilder().setKey(bs(key)).build();
  }

  static RangeRequest prefix(String prefix) {
    ByteString start = bs(prefix);
    byte[] end = start.toByteArray();
    end[end.length - 1]++;
    return RangeRequest.newBuilder().setKey(start).setRangeEnd(ByteString.copyFrom(end)).build();
  }

  static DeleteRangeRequest delete(String key) {
    return DeleteRangeRequest.newBuilder().setKey(bs(key)).build();
  }

  static RequestOp op(PutRequest p) {
    return RequestOp.newBuilder().setRequestPut(p).build();
  }

  static RequestOp op(RangeRequest r) {
    return RequestOp.newBuilder().setRequestRange(r).build();
  }

  static RequestOp op(DeleteRangeRequest d) {
    return RequestOp.newBuilder().setRequestDeleteRange(d).build();
  }

  static Compare modEquals(String key, long rev) {
    return Compare.newBuilder().setKey(bs(key)).setTarget(Compare.CompareTarget.MOD)
        .setResult(Compare.CompareResult.EQUAL).setModRevision(rev).build();
  }
}
