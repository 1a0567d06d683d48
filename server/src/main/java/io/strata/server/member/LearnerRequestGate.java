package io.strata.server.member;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.etcdserverpb.StatusRequest;
import java.util.function.BooleanSupplier;

/**
 * etcd's rule for learners: a learner serves only {@code Maintenance.Status} and serializable
 * {@code KV.Range}; every other request, and every stream, fails with Unavailable
 * "etcdserver: rpc not supported for learner", so that clients move on to a voting member.
 */
public final class LearnerRequestGate implements ServerInterceptor {
  static final String notSupported = "etcdserver: rpc not supported for learner";

  private final BooleanSupplier isLearner;

  public LearnerRequestGate(LocalMember member) {
    this(member::isLearner);
  }

  LearnerRequestGate(BooleanSupplier isLearner) {
    this.isLearner = isLearner;
  }

  /** Whether a learner may serve {@code request}. */
  static boolean supportedForLearner(Object request) {
    return request instanceof StatusRequest || request instanceof RangeRequest r && r.getSerializable();
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (!isLearner.getAsBoolean()) {
      return next.startCall(call, headers);
    }
    if (call.getMethodDescriptor().getType() != MethodDescriptor.MethodType.UNARY) {
      call.close(Status.UNAVAILABLE.withDescription(notSupported), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    // The verdict needs the request, so the handler is started only once it has arrived.
    call.request(1);
    return new ServerCall.Listener<>() {
      private ServerCall.Listener<Q> delegate;
      private boolean refused;

      @Override
      public void onMessage(Q message) {
        if (delegate != null || refused) {
          return;
        }
        if (!supportedForLearner(message)) {
          refused = true;
          call.close(Status.UNAVAILABLE.withDescription(notSupported), new Metadata());
          return;
        }
        delegate = next.startCall(call, headers);
        delegate.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        if (delegate != null) {
          delegate.onHalfClose();
        }
      }

      @Override
      public void onCancel() {
        if (delegate != null) {
          delegate.onCancel();
        }
      }

      @Override
      public void onComplete() {
        if (delegate != null) {
          delegate.onComplete();
        }
      }

      @Override
      public void onReady() {
        if (delegate != null) {
          delegate.onReady();
        }
      }
    };
  }
}
