package io.strata.server.lock;

import com.google.protobuf.ByteString;
import io.strata.api.etcdserverpb.Compare;
import io.strata.api.etcdserverpb.DeleteRangeRequest;
import io.strata.api.etcdserverpb.PutRequest;
import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.etcdserverpb.RequestOp;
import io.strata.api.etcdserverpb.TxnRequest;
import java.nio.charset.StandardCharsets;

/**
 * The requests of etcd's queue recipe, shared by locks and elections: every contender puts a
 * key {@code name/hex(lease)} under the prefix {@code name/}, and the contender whose key has the
 * smallest create revision holds the lock or leads the election.
 */
final class QueueRequests {
  private QueueRequests() {}

  static ByteString prefix(ByteString name) {
    return name.concat(ByteString.copyFrom(new byte[] {'/'}));
  }

  /** The contender's key, with the lease id in lower-case hex as Go's {@code %x} prints it. */
  static ByteString contenderKey(ByteString prefix, long lease) {
    return prefix.concat(ByteString.copyFrom(Long.toHexString(lease), StandardCharsets.US_ASCII));
  }

  /** The first key after every key that starts with {@code prefix} (etcd's prefix range end). */
  static ByteString prefixEnd(ByteString prefix) {
    byte[] end = prefix.toByteArray();
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xff) {
        end[i]++;
        return ByteString.copyFrom(end, 0, i + 1);
      }
    }
    // Every byte is 0xff: the range runs to the end of the key space.
    return ByteString.copyFrom(new byte[] {0});
  }

  /** The key under {@code prefix} with the smallest create revision: the holder or leader. */
  static RangeRequest firstCreated(ByteString prefix) {
    return RangeRequest.newBuilder()
        .setKey(prefix)
        .setRangeEnd(prefixEnd(prefix))
        .setSortTarget(RangeRequest.SortTarget.CREATE)
        .setSortOrder(RangeRequest.SortOrder.ASCEND)
        .setLimit(1)
        .build();
  }

  /** The key under {@code prefix} created last before {@code revision}: the one queued just ahead. */
  static RangeRequest lastCreatedBefore(ByteString prefix, long revision) {
    return RangeRequest.newBuilder()
        .setKey(prefix)
        .setRangeEnd(prefixEnd(prefix))
        .setSortTarget(RangeRequest.SortTarget.CREATE)
        .setSortOrder(RangeRequest.SortOrder.DESCEND)
        .setMaxCreateRevision(revision - 1)
        .setLimit(1)
        .build();
  }

  static RangeRequest get(ByteString key) {
    return RangeRequest.newBuilder().setKey(key).build();
  }

  static RequestOp range(RangeRequest request) {
    return RequestOp.newBuilder().setRequestRange(request).build();
  }

  static RequestOp put(ByteString key, ByteString value, long lease) {
    return RequestOp.newBuilder()
        .setRequestPut(PutRequest.newBuilder().setKey(key).setValue(value).setLease(lease))
        .build();
  }

  static RequestOp delete(ByteString key) {
    return RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(key)).build();
  }

  static Compare createRevisionIs(ByteString key, long revision) {
    return Compare.newBuilder()
        .setKey(key)
        .setTarget(Compare.CompareTarget.CREATE)
        .setResult(Compare.CompareResult.EQUAL)
        .setCreateRevision(revision)
        .build();
  }

  /**
   * Joins the queue: puts the key if it does not exist, else reads it (a contender that is
   * already queued keeps its place), and in both cases reads the queue's head.
   */
  static TxnRequest join(ByteString prefix, ByteString key, ByteString value, long lease) {
    return TxnRequest.newBuilder()
        .addCompare(createRevisionIs(key, 0))
        .addSuccess(put(key, value, lease))
        .addSuccess(range(firstCreated(prefix)))
        .addFailure(range(get(key)))
        .addFailure(range(firstCreated(prefix)))
        .build();
  }
}
