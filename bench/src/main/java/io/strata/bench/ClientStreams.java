package io.strata.bench;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One bidirectional stream per client, with at most one request awaiting its answer (the
 * closed-loop driver guarantees that). A stream that fails fails the waiting operation and is
 * opened again for the client's next one.
 */
final class ClientStreams<Req, Resp> implements AutoCloseable {
    /** What an answer means for the operation waiting on it. */
    enum Outcome { SUCCEEDED, FAILED, IGNORED }

    private final BiFunction<Integer, StreamObserver<Resp>, StreamObserver<Req>> open;
    private final Function<Resp, Outcome> classify;
    private final Function<Resp, String> describeFailure;
    private final AtomicReferenceArray<Stream> streams;

    ClientStreams(int clients, BiFunction<Integer, StreamObserver<Resp>, StreamObserver<Req>> open,
            Function<Resp, Outcome> classify, Function<Resp, String> describeFailure) {
        this.open = open;
        this.classify = classify;
        this.describeFailure = describeFailure;
        this.streams = new AtomicReferenceArray<>(clients);
    }

    /** Sends one request on the client's stream; {@code done} hears about its answer. */
    void send(int client, Req request, AsyncOp.Done done) {
        Stream stream = streams.get(client);
        if (stream == null || stream.broken) {
            stream = new Stream();
            stream.requests = open.apply(client, stream);
            streams.set(client, stream);
        }
        stream.pending = done;
        stream.requests.onNext(request);
    }

    @Override
    public void close() {
        for (int client = 0; client < streams.length(); client++) {
            Stream stream = streams.get(client);
            if (stream != null && !stream.broken) {
                stream.broken = true;
                try {
                    stream.requests.onCompleted();
                } catch (RuntimeException e) {
                    // The channel may already be shut down; nothing is waiting on this stream.
                }
            }
        }
    }

    private final class Stream implements StreamObserver<Resp> {
        volatile StreamObserver<Req> requests;
        volatile AsyncOp.Done pending;
        volatile boolean broken;

        @Override
        public void onNext(Resp response) {
            Outcome outcome = classify.apply(response);
            if (outcome == Outcome.IGNORED) {
                return;
            }
            AsyncOp.Done done = takePending();
            if (done == null) {
                return;
            }
            if (outcome == Outcome.SUCCEEDED) {
                done.succeeded();
            } else {
                done.failed(new IllegalStateException(describeFailure.apply(response)));
            }
        }

        @Override
        public void onError(Throwable error) {
            broken = true;
            AsyncOp.Done done = takePending();
            if (done != null) {
                done.failed(error);
            }
        }

        @Override
        public void onCompleted() {
            broken = true;
            AsyncOp.Done done = takePending();
            if (done != null) {
                done.failed(new IllegalStateException("the server closed the stream"));
            }
        }

        private AsyncOp.Done takePending() {
            AsyncOp.Done done = pending;
            pending = null;
            return done;
        }
    }
}
