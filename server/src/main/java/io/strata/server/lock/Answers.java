package io.strata.server.lock;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/** Sends one unary answer, or its failure as etcd's status, once a future completes. */
final class Answers {
  private Answers() {}

  static <R, T> void later(StreamObserver<T> observer, CompletionStage<R> result, Function<R, T> answer) {
    result.whenComplete((r, failure) -> {
      if (failure != null) {
        observer.onError(RecipeStatus.of(failure));
        return;
      }
      T value;
      try {
        value = answer.apply(r);
      } catch (RuntimeException e) {
        observer.onError(RecipeStatus.of(e));
        return;
      }
      observer.onNext(value);
      observer.onCompleted();
    });
  }
}
