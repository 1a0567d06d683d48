package io.strata.server.grpc;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.stub.StreamObserver;
import io.strata.api.etcdserverpb.CompactionRequest;
import io.strata.api.etcdserverpb.CompactionResponse;
import io.strata.api.etcdserverpb.DeleteRangeRequest;
import io.strata.api.etcdserverpb.DeleteRangeResponse;
import io.strata.api.etcdserverpb.KVGrpc;
import io.strata.api.etcdserverpb.PutRequest;
import io.strata.api.etcdserverpb.PutResponse;
import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.etcdserverpb.RangeResponse;
import io.strata.api.etcdserverpb.TxnRequest;
import io.strata.api.etcdserverpb.TxnResponse;
import io.strata.api.serverpb.InternalRequest;
import io.strata.mvcc.KvRequestValidator;
import io.strata.server.member.LocalMember;

/**
 * etcd's KV service: validates a request the way etcd's gRPC layer does, then hands writes to
 * Raft and reads to the store. Responses get this member's header; the revision in it is the
 * one the store reported.
 */
public final class KvService extends KVGrpc.KVImplBase {
  private final LocalMember member;
  private final int maxTxnOps;

  public KvService(LocalMember member, int maxTxnOps) {
    this.member = member;
    this.maxTxnOps = maxTxnOps;
  }

  @Override
  public void range(RangeRequest request, StreamObserver<RangeResponse> observer) {
    try {
      KvRequestValidator.checkRange(request);
    } catch (RuntimeException e) {
      observer.onError(GrpcErrors.toStatus(e));
      return;
    }
    if (request.getSerializable()) {
      Replies.now(observer, () -> withHeader(member.store().range(request)));
    } else {
      ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
      // On the request's event loop, like a serializable read: the answer is written there too.
      Replies.later(observer, ctx == null
          ? member.linearizableRead(() -> member.store().range(request))
          : member.linearizableRead(() -> member.store().range(request), ctx.eventLoop()), this::withHeader);
    }
  }

  @Override
  public void put(PutRequest request, StreamObserver<PutResponse> observer) {
    try {
      KvRequestValidator.checkPut(request);
    } catch (RuntimeException e) {
      observer.onError(GrpcErrors.toStatus(e));
      return;
    }
    Replies.later(observer, member.write(InternalRequest.newBuilder().setPut(request)),
        r -> ((PutResponse) r).toBuilder().setHeader(member.header(((PutResponse) r).getHeader())).build());
  }

  @Override
  public void deleteRange(DeleteRangeRequest request, StreamObserver<DeleteRangeResponse> observer) {
    try {
      KvRequestValidator.checkDeleteRange(request);
    } catch (RuntimeException e) {
      observer.onError(GrpcErrors.toStatus(e));
      return;
    }
    Replies.later(observer, member.write(InternalRequest.newBuilder().setDeleteRange(request)),
        r -> ((DeleteRangeResponse) r).toBuilder().setHeader(member.header(((DeleteRangeResponse) r).getHeader())).build());
  }

  @Override
  public void txn(TxnRequest request, StreamObserver<TxnResponse> observer) {
    try {
      KvRequestValidator.checkTxn(request, maxTxnOps);
    } catch (RuntimeException e) {
      observer.onError(GrpcErrors.toStatus(e));
      return;
    }
    Replies.later(observer, member.write(InternalRequest.newBuilder().setTxn(request)),
        r -> ((TxnResponse) r).toBuilder().setHeader(member.header(((TxnResponse) r).getHeader())).build());
  }

  @Override
  public void compact(CompactionRequest request, StreamObserver<CompactionResponse> observer) {
    Replies.later(observer, member.write(InternalRequest.newBuilder().setCompaction(request)),
        r -> ((CompactionResponse) r).toBuilder().setHeader(member.header(((CompactionResponse) r).getHeader())).build());
  }

  private RangeResponse withHeader(RangeResponse r) {
    return r.toBuilder().setHeader(member.header(r.getHeader())).build();
  }
}
