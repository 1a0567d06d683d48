package io.strata.conformance.differential;

import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One watch on its own stream, recording everything the server sends. Its history is compared
 * as a flat list: every event in order, and every response that is more than a carrier of
 * events (creation, cancellation, compaction) with its events and header cleared. Flattening
 * is needed because how events are grouped into responses, and the revision a response's header
 * carries, depend on when the server's background sync ran, which two servers may choose
 * differently without a client being able to tell.
 */
final class WatchRecorder implements AutoCloseable {
    static final long CREATE_TIMEOUT_MILLIS = 10_000;

    private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    private final List<Object> history = new ArrayList<>();
    private final StreamObserver<WatchRequest> requests;
    private volatile long lastArrivalNanos = System.nanoTime();

    WatchRecorder(WatchGrpc.WatchStub stub) {
        requests = stub.watch(new StreamObserver<>() {
            @Override
            public void onNext(WatchResponse response) {
                arrived(response);
            }

            @Override
            public void onError(Throwable error) {
                arrived(error instanceof StatusRuntimeException status
                        ? "stream error " + status.getStatus().getCode() + ": " + status.getStatus().getDescription()
                        : "stream error " + error);
            }

            @Override
            public void onCompleted() {
                arrived("stream completed");
            }
        });
    }

    private void arrived(Object item) {
        lastArrivalNanos = System.nanoTime();
        received.add(item);
    }

    /**
     * Sends the create request and returns the first thing the server sends back, which for a
     * well-formed request is the creation response whose header names the revision the watch
     * starts after; waiting for it keeps the watch's start independent of timing.
     */
    Outcome create(WatchCreateRequest create) {
        requests.onNext(WatchRequest.newBuilder().setCreateRequest(create).build());
        Object first;
        try {
            first = received.poll(CREATE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating a watch", e);
        }
        if (first == null) {
            return Outcome.of(new StatusRuntimeException(io.grpc.Status.DEADLINE_EXCEEDED
                    .withDescription("no answer to the create request within " + CREATE_TIMEOUT_MILLIS + " ms")));
        }
        if (first instanceof WatchResponse response) {
            Outcome outcome = Outcome.of(response.toBuilder().clearEvents().build());
            record(response.toBuilder().clearHeader().build());
            return outcome;
        }
        history.add(first);
        return Outcome.of(new StatusRuntimeException(io.grpc.Status.UNKNOWN.withDescription(first.toString())));
    }

    /** Nanoseconds since the server last sent anything on this stream. */
    long quietNanos() {
        return System.nanoTime() - lastArrivalNanos;
    }

    /** Everything received so far, flattened; drains the arrivals queue. */
    List<Object> history() {
        List<Object> drained = new ArrayList<>();
        received.drainTo(drained);
        for (Object item : drained) {
            if (item instanceof WatchResponse response) {
                record(response.toBuilder().clearHeader().build());
            } else {
                history.add(item);
            }
        }
        return List.copyOf(history);
    }

    private void record(WatchResponse response) {
        for (Event event : response.getEventsList()) {
            history.add(ResponseNormaliser.normalise(event));
        }
        WatchResponse bare = response.toBuilder().clearEvents().build();
        if (bare.getCreated() || bare.getCanceled() || bare.getCompactRevision() != 0
                || !bare.getCancelReason().isEmpty()) {
            history.add(ResponseNormaliser.normalise(bare));
        }
    }

    @Override
    public void close() {
        try {
            requests.onCompleted();
        } catch (RuntimeException e) {
            // The stream may already have failed; closing it again has nothing left to do.
        }
    }
}
