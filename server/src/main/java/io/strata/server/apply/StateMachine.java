package io.strata.server.apply;

import com.google.protobuf.ByteString;
import io.strata.api.etcdserverpb.DeleteRangeRequest;
import io.strata.api.etcdserverpb.LeaseGrantRequest;
import io.strata.api.etcdserverpb.LeaseGrantResponse;
import io.strata.api.etcdserverpb.LeaseRevokeRequest;
import io.strata.api.etcdserverpb.LeaseRevokeResponse;
import io.strata.api.etcdserverpb.RequestOp;
import io.strata.api.etcdserverpb.ResponseHeader;
import io.strata.api.etcdserverpb.TxnRequest;
import io.strata.api.serverpb.InternalRequest;
import io.strata.api.serverpb.LeaseCheckpoint;
import io.strata.lease.Lease;
import io.strata.lease.Lessor;
import io.strata.mvcc.MvccOptions;
import io.strata.mvcc.MvccStore;
import io.strata.server.cluster.ClusterMembers;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * What one committed request does to the replicated state: the revision store and the
 * lessor. Results are the responses to hand back (headers carry only the revision), or the
 * domain exception the request failed with; either way a failed request changed nothing.
 */
public final class StateMachine {
  /** Tells the parts that hold on to the store (watches, listeners) that it was replaced. */
  public interface Replacement {
    void replaced(MvccStore previous, MvccStore current);
  }

  private final MvccOptions mvccOptions;
  private final LongConsumer compacted;
  private final LongSupplier monotonicMillis;
  private final Replacement replacement;
  // Swapped when a leader's snapshot is installed; readers see the old store or the new one.
  private volatile MvccStore store;
  private final Lessor lessor;
  private final ClusterMembers members;

  public StateMachine(MvccStore store, Lessor lessor, MvccOptions mvccOptions, LongConsumer compacted,
      LongSupplier monotonicMillis, Replacement replacement) {
    this(store, lessor, null, mvccOptions, compacted, monotonicMillis, replacement);
  }

  /** With {@code members == null} the membership is not part of the state (single-process tests). */
  public StateMachine(MvccStore store, Lessor lessor, ClusterMembers members, MvccOptions mvccOptions,
      LongConsumer compacted, LongSupplier monotonicMillis, Replacement replacement) {
    this.members = members;
    this.store = store;
    this.lessor = lessor;
    this.mvccOptions = mvccOptions;
    this.compacted = compacted;
    this.monotonicMillis = monotonicMillis;
    this.replacement = replacement;
  }

  public MvccStore store() {
    return store;
  }

  public Lessor lessor() {
    return lessor;
  }

  /** The replicated membership, or null when this state machine does not carry one. */
  public ClusterMembers members() {
    return members;
  }

  /** Replaces the whole state with a snapshot's; the lessor is restored in place. */
  void install(ByteString data) throws java.io.IOException {
    MvccStore previous = store;
    store = StateSnapshot.read(data, mvccOptions, lessor, members, monotonicMillis.getAsLong());
    replacement.replaced(previous, store);
  }

  /** Applies one request; a domain failure is thrown and leaves the state as it was. */
  Object apply(InternalRequest request) {
    return switch (request.getRequestCase()) {
      case PUT -> store.put(request.getPut());
      case DELETE_RANGE -> store.deleteRange(request.getDeleteRange());
      case TXN -> store.txn(request.getTxn());
      case COMPACTION -> {
        var response = store.compact(request.getCompaction());
        compacted.accept(request.getCompaction().getRevision());
        yield response;
      }
      case LEASE_GRANT -> grant(request.getLeaseGrant());
      case LEASE_REVOKE -> revoke(request.getLeaseRevoke());
      case LEASE_CHECKPOINTS -> {
        for (LeaseCheckpoint c : request.getLeaseCheckpoints().getCheckpointsList()) {
          if (lessor.exists(c.getId())) {
            lessor.applyCheckpoint(c.getId(), c.getRemainingTtl(), monotonicMillis.getAsLong());
          }
        }
        yield Boolean.TRUE;
      }
      case MEMBER_ATTRIBUTES -> {
        if (members != null) {
          members.updateAttributes(request.getMemberAttributes());
        }
        yield Boolean.TRUE;
      }
      default -> throw new IllegalStateException("unsupported request " + request.getRequestCase());
    };
  }

  private LeaseGrantResponse grant(LeaseGrantRequest request) {
    Lease lease = lessor.grant(request.getID(), request.getTTL(), monotonicMillis.getAsLong());
    return LeaseGrantResponse.newBuilder()
        .setHeader(ResponseHeader.newBuilder().setRevision(store.currentRevision()))
        .setID(lease.id())
        .setTTL(lease.ttlSeconds())
        .build();
  }

  /**
   * Revokes a lease and deletes its keys, all in one revision, so watchers see every delete
   * at once and a lease with a thousand keys costs one write.
   */
  private LeaseRevokeResponse revoke(LeaseRevokeRequest request) {
    long id = request.getID();
    List<ByteString> keys = store.keysWithLease(id);
    lessor.revoke(id);
    if (!keys.isEmpty()) {
      TxnRequest.Builder deletes = TxnRequest.newBuilder();
      for (ByteString key : keys) {
        deletes.addSuccess(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(key)));
      }
      store.txn(deletes.build());
    }
    return LeaseRevokeResponse.newBuilder()
        .setHeader(ResponseHeader.newBuilder().setRevision(store.currentRevision()))
        .build();
  }
}
