package io.strata.bench;

import io.grpc.stub.StreamObserver;
import java.util.function.Consumer;

/** Adapts one unary gRPC call's response observer to an {@link AsyncOp.Done}. */
final class UnaryObserver<T> implements StreamObserver<T> {
    private final AsyncOp.Done done;
    private final Consumer<T> onResponse;

    private UnaryObserver(AsyncOp.Done done, Consumer<T> onResponse) {
        this.done = done;
        this.onResponse = onResponse;
    }

    static <T> UnaryObserver<T> of(AsyncOp.Done done) {
        return new UnaryObserver<>(done, response -> { });
    }

    /** Also hands the response to {@code onResponse} before the operation counts as done. */
    static <T> UnaryObserver<T> of(AsyncOp.Done done, Consumer<T> onResponse) {
        return new UnaryObserver<>(done, onResponse);
    }

    @Override
    public void onNext(T response) {
        onResponse.accept(response);
    }

    @Override
    public void onError(Throwable error) {
        done.failed(error);
    }

    @Override
    public void onCompleted() {
        done.succeeded();
    }
}
