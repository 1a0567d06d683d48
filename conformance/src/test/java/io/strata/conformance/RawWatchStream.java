package io.strata.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.WatchCancelRequest;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchProgressRequest;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.stub.StreamObserver;
import io.strata.conformance.harness.EtcdGrpc;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One Watch stream driven through the raw gRPC stub, so that every field of every response can
 * be checked, including the ones jetcd hides (watch ids, cancel reasons, progress responses).
 * Responses queue up as they arrive and the test takes them in order.
 */
final class RawWatchStream implements AutoCloseable {
    /** etcd's WatchCreateRequest.watch_id, added to etcd's API after jetcd copied it. */
    static final int CREATE_WATCH_ID_FIELD = 7;
    static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(10);
    /** How long a stream must stay silent to count as "sent nothing". */
    static final Duration QUIET_PERIOD = Duration.ofMillis(400);

    /** What the server sent: a response, the stream's error, or its normal end. */
    private sealed interface Received permits Response, Failure, Completed {}

    private record Response(WatchResponse response) implements Received {}

    private record Failure(Throwable error) implements Received {}

    private record Completed() implements Received {}

    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final StreamObserver<WatchRequest> requests;

    private RawWatchStream(WatchGrpc.WatchStub stub) {
        requests = stub.watch(new StreamObserver<>() {
            @Override
            public void onNext(WatchResponse response) {
                received.add(new Response(response));
            }

            @Override
            public void onError(Throwable error) {
                received.add(new Failure(error));
            }

            @Override
            public void onCompleted() {
                received.add(new Completed());
            }
        });
    }

    static RawWatchStream open(EtcdGrpc grpc) {
        return new RawWatchStream(grpc.watch());
    }

    /** A stream on a stub the caller has decorated, for instance with request metadata. */
    static RawWatchStream open(WatchGrpc.WatchStub stub) {
        return new RawWatchStream(stub);
    }

    static ByteString raw(String text) {
        return ByteString.copyFrom(text, StandardCharsets.UTF_8);
    }

    /** A create request for one key; the caller adds options with the builder. */
    static WatchCreateRequest.Builder watchKey(String key) {
        return WatchCreateRequest.newBuilder().setKey(raw(key));
    }

    /**
     * Sets the client-chosen watch_id (field 7 of WatchCreateRequest), which jetcd's copy of
     * etcd's protobufs predates, as a raw field on the wire.
     */
    static WatchCreateRequest.Builder withWatchId(WatchCreateRequest.Builder create, long watchId) {
        return create.setUnknownFields(UnknownFieldSet.newBuilder(create.getUnknownFields())
                .addField(CREATE_WATCH_ID_FIELD, UnknownFieldSet.Field.newBuilder().addVarint(watchId).build())
                .build());
    }

    /** A create request for every key starting with {@code prefix}. */
    static WatchCreateRequest.Builder watchPrefix(String prefix) {
        return WatchCreateRequest.newBuilder().setKey(raw(prefix)).setRangeEnd(prefixEnd(prefix));
    }

    static ByteString prefixEnd(String prefix) {
        byte[] end = prefix.getBytes(StandardCharsets.UTF_8);
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xff) {
                end[i]++;
                return ByteString.copyFrom(end, 0, i + 1);
            }
        }
        return ByteString.copyFrom(new byte[] {0});
    }

    void send(WatchRequest request) {
        requests.onNext(request);
    }

    void create(WatchCreateRequest.Builder create) {
        send(WatchRequest.newBuilder().setCreateRequest(create).build());
    }

    /** Sends a create request and returns the server's answer to it. */
    WatchResponse createAndAwait(WatchCreateRequest.Builder create) {
        create(create);
        WatchResponse response = next();
        assertThat(response.getCreated()).as("first response to a create request: %s", response).isTrue();
        return response;
    }

    void cancel(long watchId) {
        send(WatchRequest.newBuilder().setCancelRequest(WatchCancelRequest.newBuilder().setWatchId(watchId)).build());
    }

    void requestProgress() {
        send(WatchRequest.newBuilder().setProgressRequest(WatchProgressRequest.getDefaultInstance()).build());
    }

    /** The next response, failing if the stream ends or nothing comes within the timeout. */
    WatchResponse next() {
        Received item;
        try {
            item = received.poll(RESPONSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (item == null) {
            throw new AssertionError("no watch response within " + RESPONSE_TIMEOUT.toSeconds() + " s");
        }
        if (item instanceof Response response) {
            return response.response();
        }
        if (item instanceof Failure failure) {
            throw new AssertionError("the watch stream failed", failure.error());
        }
        throw new AssertionError("the server ended the watch stream");
    }

    /** Events from the next responses until {@code count} have arrived; fails on anything else. */
    List<Event> events(int count) {
        List<Event> events = new ArrayList<>();
        while (events.size() < count) {
            WatchResponse response = next();
            assertThat(response.getEventsCount()).as("a response carrying events: %s", response).isPositive();
            events.addAll(response.getEventsList());
        }
        assertThat(events).as("events").hasSize(count);
        return events;
    }

    /** The responses that carry events, until {@code count} events have arrived. */
    List<WatchResponse> eventResponses(int count) {
        List<WatchResponse> responses = new ArrayList<>();
        int events = 0;
        while (events < count) {
            WatchResponse response = next();
            assertThat(response.getEventsCount()).as("a response carrying events: %s", response).isPositive();
            responses.add(response);
            events += response.getEventsCount();
        }
        assertThat(events).as("events").isEqualTo(count);
        return responses;
    }

    /** Asserts that nothing arrives for a short while. */
    void assertQuiet() {
        try {
            Received item = received.poll(QUIET_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(item).as("what the stream sent while it should have been silent").isNull();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            requests.onCompleted();
        } catch (RuntimeException ignored) {
            // The stream may already be closed by the server; closing twice is harmless.
        }
    }
}
