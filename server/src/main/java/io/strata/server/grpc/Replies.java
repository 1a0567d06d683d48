package io.strata.server.grpc;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/** Sends one unary answer, or its failure as etcd's status, from a value or a future. */
final class Replies {
  private Replies() {}

  static <T> void now(StreamObserver<T> observer, Supplier<T> answer) {
    T value;
    try {
      value = answer.get();
    } catch (RuntimeException e) {
      observer.onError(GrpcErrors.toStatus(e));
      return;
    }
    observer.onNext(value);
    observer.onCompleted();
  }

  static <R, T> void later(StreamObserver<T> observer, CompletionStage<R> result, Function<R, T> answer) {
    result.whenComplete((r, failure) -> {
      if (failure != null) {
        observer.onError(GrpcErrors.toStatus(failure));
        return;
      }
      T value;
      try {
        value = answer.apply(r);
      } catch (RuntimeException e) {
        observer.onError(GrpcErrors.toStatus(e));
        return;
      }
      observer.onNext(value);
      observer.onCompleted();
    });
  }
}
