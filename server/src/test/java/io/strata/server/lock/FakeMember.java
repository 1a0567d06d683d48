package io.strata.server.lock;

import io.strata.api.etcdserverpb.DeleteRangeRequest;
import io.strata.api.etcdserverpb.LeaseGrantResponse;
import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.etcdserverpb.RangeResponse;
import io.strata.api.etcdserverpb.RequestOp;
import io.strata.api.etcdserverpb.ResponseHeader;
import io.strata.api.etcdserverpb.TxnRequest;
import io.strata.api.serverpb.InternalRequest;
import io.strata.mvcc.MvccOptions;
import io.strata.mvcc.MvccStore;
import io.strata.mvcc.RevisionListener;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A member without Raft: writes are applied to a real store on one apply thread, which then
 * tells the revision listeners, as the server's apply loop does.
 */
final class FakeMember implements MemberAccess, AutoCloseable {
  private final Set<Long> leases = ConcurrentHashMap.newKeySet();
  private final List<RevisionListener> listeners = new CopyOnWriteArrayList<>();
  private final MvccStore store = MvccStore.open(new MvccOptions(1024, leases::contains));
  private final ExecutorService apply = Executors.newSingleThreadExecutor();
  private final AtomicLong nextLeaseId = new AtomicLong(0x100);

  FakeMember() {
    store.setEventListener((revision, events) -> listeners.forEach(l -> l.onRevision(revision, events)));
  }

  long grantLease() {
    long id = nextLeaseId.getAndIncrement();
    leases.add(id);
    return id;
  }

  /** Revokes a lease the way the server does: its keys go in one revision. */
  void revoke(long lease) {
    await(CompletableFuture.runAsync(() -> {
      leases.remove(lease);
      TxnRequest.Builder txn = TxnRequest.newBuilder();
      store.keysWithLease(lease).forEach(k ->
          txn.addSuccess(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(k))));
      if (txn.getSuccessCount() > 0) {
        store.txn(txn.build());
      }
    }, apply));
  }

  void delete(String key) {
    await(write(InternalRequest.newBuilder()
        .setDeleteRange(DeleteRangeRequest.newBuilder().setKey(com.google.protobuf.ByteString.copyFromUtf8(key)))));
  }

  boolean exists(String key) {
    return range(QueueRequests.get(com.google.protobuf.ByteString.copyFromUtf8(key))).getKvsCount() > 0;
  }

  /** Waits until everything handed to the apply thread so far has run. */
  void drainApply() {
    await(CompletableFuture.runAsync(() -> {}, apply));
  }

  @Override
  public CompletableFuture<Object> write(InternalRequest.Builder request) {
    InternalRequest r = request.build();
    return CompletableFuture.supplyAsync(() -> switch (r.getRequestCase()) {
      case TXN -> store.txn(r.getTxn());
      case PUT -> store.put(r.getPut());
      case DELETE_RANGE -> store.deleteRange(r.getDeleteRange());
      case LEASE_GRANT -> {
        leases.add(r.getLeaseGrant().getID());
        yield LeaseGrantResponse.newBuilder().setID(r.getLeaseGrant().getID()).setTTL(r.getLeaseGrant().getTTL()).build();
      }
      default -> throw new UnsupportedOperationException(r.getRequestCase().toString());
    }, apply);
  }

  @Override
  public <T> CompletableFuture<T> linearizableRead(Supplier<T> read) {
    return CompletableFuture.supplyAsync(read, apply);
  }

  @Override
  public RangeResponse range(RangeRequest request) {
    return store.range(request);
  }

  @Override
  public ResponseHeader header(long revision) {
    return ResponseHeader.newBuilder().setClusterId(7).setMemberId(1).setRaftTerm(2).setRevision(revision).build();
  }

  @Override
  public long newLeaseId() {
    return nextLeaseId.getAndIncrement();
  }

  @Override
  public void addRevisionListener(RevisionListener listener) {
    listeners.add(listener);
  }

  @Override
  public void removeRevisionListener(RevisionListener listener) {
    listeners.remove(listener);
  }

  @Override
  public void close() throws InterruptedException {
    apply.shutdown();
    apply.awaitTermination(5, TimeUnit.SECONDS);
    store.close();
  }

  static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
