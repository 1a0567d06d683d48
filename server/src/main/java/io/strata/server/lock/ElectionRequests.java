package io.strata.server.lock;

import com.google.protobuf.ByteString;
import io.strata.api.etcdserverpb.TxnRequest;
import io.strata.api.etcdserverpb.TxnResponse;
import io.strata.api.serverpb.InternalRequest;
import java.util.concurrent.CompletableFuture;

/**
 * The two writes a leader makes on its own key, both guarded by the key's create revision so
 * that a leader whose key was deleted (and perhaps re-created by a later campaign) changes
 * nothing.
 */
final class ElectionRequests {
  private ElectionRequests() {}

  /** Puts a new value on the leader's key; fails with "election: not leader" if it is not the key elected. */
  static CompletableFuture<TxnResponse> proclaim(MemberAccess member, ByteString key, long revision, ByteString value,
      long lease) {
    TxnRequest txn = TxnRequest.newBuilder()
        .addCompare(QueueRequests.createRevisionIs(key, revision))
        .addSuccess(QueueRequests.put(key, value, lease))
        .build();
    return member.write(InternalRequest.newBuilder().setTxn(txn)).thenApply(r -> {
      TxnResponse response = (TxnResponse) r;
      if (!response.getSucceeded()) {
        throw RecipeException.notLeader();
      }
      return response;
    });
  }

  /** Deletes the leader's key if it is still the key elected; succeeds either way, as etcd does. */
  static CompletableFuture<TxnResponse> resign(MemberAccess member, ByteString key, long revision) {
    TxnRequest txn = TxnRequest.newBuilder()
        .addCompare(QueueRequests.createRevisionIs(key, revision))
        .addSuccess(QueueRequests.delete(key))
        .build();
    return member.write(InternalRequest.newBuilder().setTxn(txn)).thenApply(r -> (TxnResponse) r);
  }
}
