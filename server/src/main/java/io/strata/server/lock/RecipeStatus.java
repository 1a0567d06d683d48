package io.strata.server.lock;

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
 * Turns a failure of a lock or election call into the status etcd answers with. etcd serves
 * these services through an in-process client, and the typed errors that client returns carry
 * no gRPC status of their own, so every failure, even "requested lease not found", reaches the
 * caller as UNKNOWN with etcd's text. Clients match that text, so it is passed on unchanged.
 */
final class RecipeStatus {
  private static final Logger log = LoggerFactory.getLogger(RecipeStatus.class);

  private RecipeStatus() {}

  static StatusRuntimeException of(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof StatusRuntimeException s) {
      return s;
    }
    String message;
    if (t instanceof RecipeException e) {
      message = e.getMessage();
    } else if (t instanceof KvException e) {
      message = e.error().message();
    } else if (t instanceof LeaseException e) {
      message = e.error().message();
    } else if (t instanceof EtcdServerException e) {
      message = e.getMessage();
    } else {
      log.warn("lock or election request failed unexpectedly", t);
      message = String.valueOf(t.getMessage());
    }
    return Status.UNKNOWN.withDescription(message).asRuntimeException();
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
