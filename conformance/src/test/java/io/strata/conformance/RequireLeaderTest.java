package io.strata.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseKeepAliveRequest;
import io.etcd.jetcd.api.LeaseKeepAliveResponse;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.strata.conformance.harness.Cluster;
import io.strata.conformance.harness.EtcdGrpc;
import io.strata.conformance.harness.ServerKind;
import io.strata.conformance.harness.ServerProcess;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * clientv3's {@code WithRequireLeader} ({@code hasleader: true} in the request metadata) on a
 * member that loses its leader: new requests are refused at once, and streams opened that way
 * earlier (a watch, a lease keep-alive) are ended with Unavailable "etcdserver: no leader" after
 * a few election timeouts, while a watch opened without the header stays open.
 */
class RequireLeaderTest {
    static final String NO_LEADER = "etcdserver: no leader";
    /** etcd ends the streams after three leaderless election timeouts (1 s each by default). */
    static final long STREAM_END_TIMEOUT_SECONDS = 20;
    static final ByteString KEY = ByteString.copyFrom("/require-leader/key", StandardCharsets.UTF_8);

    /** What a client stream received, in order: responses, then its error or its end. */
    static final class Received<T> implements StreamObserver<T> {
        final BlockingQueue<Object> items = new LinkedBlockingQueue<>();

        @Override
        public void onNext(T value) {
            items.add(value);
        }

        @Override
        public void onError(Throwable t) {
            items.add(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            items.add("completed");
        }

        Object next(long timeoutSeconds) throws InterruptedException {
            Object item = items.poll(timeoutSeconds, TimeUnit.SECONDS);
            assertThat(item).as("something on the stream within %d s", timeoutSeconds).isNotNull();
            return item;
        }

        /** Skips responses until the stream ends, returning how it ended. */
        Status awaitEnd(long timeoutSeconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            while (true) {
                Object item = items.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                assertThat(item).as("the stream ended within %d s", timeoutSeconds).isNotNull();
                if (item instanceof Status status) {
                    return status;
                }
                assertThat(item).as("the stream ended with an error, not normally").isNotEqualTo("completed");
            }
        }
    }

    private static Metadata requireLeader() {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("hasleader", Metadata.ASCII_STRING_MARSHALLER), "true");
        return headers;
    }

    private static WatchRequest watchKey() {
        return WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder().setKey(KEY)).build();
    }

    private static void assertNoLeader(Status status) {
        assertThat(status.getCode()).as("%s", status).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(status.getDescription()).isEqualTo(NO_LEADER);
    }

    @Test
    void streamsRequiringALeaderEndWithNoLeaderWhileOthersStayOpen() throws Exception {
        try (Cluster cluster = Cluster.start(ServerKind.target(), "RequireLeaderTest", 3);
                EtcdGrpc grpc = EtcdGrpc.connect(cluster.member(0).clientUrl())) {
            WatchGrpc.WatchStub requiringWatch = grpc.watch()
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(requireLeader()));
            LeaseGrpc.LeaseStub requiringLease = grpc.leaseStreams()
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(requireLeader()));

            Received<WatchResponse> requiring = new Received<>();
            StreamObserver<WatchRequest> requiringRequests = requiringWatch.watch(requiring);
            requiringRequests.onNext(watchKey());
            assertThat(((WatchResponse) requiring.next(10)).getCreated()).isTrue();

            Received<WatchResponse> plain = new Received<>();
            StreamObserver<WatchRequest> plainRequests = grpc.watch().watch(plain);
            plainRequests.onNext(watchKey());
            assertThat(((WatchResponse) plain.next(10)).getCreated()).isTrue();

            long lease = grpc.lease().leaseGrant(LeaseGrantRequest.newBuilder().setTTL(60).build()).getID();
            Received<LeaseKeepAliveResponse> keepAlive = new Received<>();
            StreamObserver<LeaseKeepAliveRequest> keepAliveRequests = requiringLease.leaseKeepAlive(keepAlive);
            keepAliveRequests.onNext(LeaseKeepAliveRequest.newBuilder().setID(lease).build());
            assertThat(((LeaseKeepAliveResponse) keepAlive.next(10)).getTTL()).isPositive();

            for (ServerProcess other : cluster.members().subList(1, 3)) {
                other.kill9();
            }

            assertNoLeader(requiring.awaitEnd(STREAM_END_TIMEOUT_SECONDS));
            assertNoLeader(keepAlive.awaitEnd(STREAM_END_TIMEOUT_SECONDS));
            assertThat(plain.items.poll(500, TimeUnit.MILLISECONDS))
                    .as("what the watch without hasleader received").isNull();

            KVGrpc.KVBlockingStub requiringKv = grpc.kv()
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(requireLeader()));
            assertThatThrownBy(() -> requiringKv.range(RangeRequest.newBuilder().setKey(KEY).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertNoLeader(e.getStatus()));
            Received<WatchResponse> late = new Received<>();
            grpc.watch().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(requireLeader()))
                    .watch(late).onNext(watchKey());
            assertNoLeader(late.awaitEnd(10));

            // With a quorum again the watch opened without the header delivers the next event.
            cluster.member(1).start();
            long revision = putRetrying(grpc, "after");
            WatchResponse event = (WatchResponse) plain.next(20);
            assertThat(event.getEventsCount()).as("%s", event).isEqualTo(1);
            assertThat(event.getEvents(0).getKv().getModRevision()).isEqualTo(revision);
            plainRequests.onCompleted();
        }
    }

    private static long putRetrying(EtcdGrpc grpc, String value) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return grpc.kv().put(PutRequest.newBuilder().setKey(KEY)
                        .setValue(ByteString.copyFrom(value, StandardCharsets.UTF_8)).build()).getHeader().getRevision();
            } catch (StatusRuntimeException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("no put succeeded for 30 s after a quorum was back", e);
                }
                Thread.sleep(200);
            }
        }
    }
}
