package io.strata.server.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.strata.lease.LeaseException;
import io.strata.mvcc.KvException;
import io.strata.server.raftnode.EtcdServerException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where domain failures become gRPC statuses. Clients (clientv3, jetcd,
 * kube-apiserver) recognise etcd's errors by code and exact text, so both are taken from the
 * failure as it is, never rephrased here.
 */
final class GrpcErrors {
  private static final Logger log = LoggerFactory.getLogger(GrpcErrors.class);

  private GrpcErrors() {}

  static StatusRuntimeException toStatus(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof StatusRuntimeException s) {
      return s;
    }
    if (t instanceof KvException e) {
      return status(e.error().grpcCode(), e.error().message());
    }
    if (t instanceof LeaseException e) {
      return status(e.error().grpcCode(), e.error().message());
    }
    if (t instanceof EtcdServerException e) {
      return status(e.grpcCode(), e.getMessage());
    }
    log.warn("request failed unexpectedly", t);
    return Status.INTERNAL.withDescription(String.valueOf(t.getMessage())).asRuntimeException();
  }

  private static StatusRuntimeException status(String codeName, String message) {
    return Status.fromCode(Status.Code.valueOf(codeName)).withDescription(message).asRuntimeException();
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
