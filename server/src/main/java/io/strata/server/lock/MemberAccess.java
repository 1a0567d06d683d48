package io.strata.server.lock;

import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.etcdserverpb.RangeResponse;
import io.strata.api.etcdserverpb.ResponseHeader;
import io.strata.api.serverpb.InternalRequest;
import io.strata.mvcc.RevisionListener;
import io.strata.server.member.LocalMember;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The part of the local member the lock and election services use: replicated writes, reads of
 * the applied state, and the stream of applied revisions. An interface so that the waiting logic
 * can be tested against a store without Raft.
 */
interface MemberAccess {
  /** Proposes a write; completes with what applying it returned, on the apply thread. */
  CompletableFuture<Object> write(InternalRequest.Builder request);

  /** Runs {@code read} once everything committed before the call is applied here. */
  <T> CompletableFuture<T> linearizableRead(Supplier<T> read);

  /** Reads this member's applied state as it is now (a serializable read). */
  RangeResponse range(RangeRequest request);

  /** A full response header (cluster, member, term) for {@code revision}. */
  ResponseHeader header(long revision);

  long newLeaseId();

  void addRevisionListener(RevisionListener listener);

  void removeRevisionListener(RevisionListener listener);

  static MemberAccess of(LocalMember member) {
    return new MemberAccess() {
      @Override
      public CompletableFuture<Object> write(InternalRequest.Builder request) {
        return member.write(request);
      }

      @Override
      public <T> CompletableFuture<T> linearizableRead(Supplier<T> read) {
        return member.linearizableRead(read);
      }

      @Override
      public RangeResponse range(RangeRequest request) {
        return member.store().range(request);
      }

      @Override
      public ResponseHeader header(long revision) {
        return member.header(revision);
      }

      @Override
      public long newLeaseId() {
        return member.newLeaseId();
      }

      @Override
      public void addRevisionListener(RevisionListener listener) {
        member.addRevisionListener(listener);
      }

      @Override
      public void removeRevisionListener(RevisionListener listener) {
        member.removeRevisionListener(listener);
      }
    };
  }
}
