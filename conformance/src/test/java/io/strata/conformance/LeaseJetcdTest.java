package io.strata.conformance;

import static io.strata.conformance.Jetcd.assertGrpcFails;
import static io.strata.conformance.Jetcd.assertJetcdFails;
import static io.strata.conformance.Jetcd.await;
import static io.strata.conformance.Jetcd.bytes;
import static io.strata.conformance.Jetcd.text;
import static io.strata.conformance.RawWatchStream.watchPrefix;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrantResponse;
import io.etcd.jetcd.api.LeaseKeepAliveRequest;
import io.etcd.jetcd.api.LeaseKeepAliveResponse;
import io.etcd.jetcd.api.LeaseRevokeRequest;
import io.etcd.jetcd.api.LeaseTimeToLiveRequest;
import io.etcd.jetcd.api.LeaseTimeToLiveResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.strata.conformance.harness.ClusterExtension;
import io.strata.conformance.harness.EtcdGrpc;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Lease service through jetcd and raw gRPC: grant (server- and client-chosen ids, TTL
 * bounds), revoke, keep-alive (stream and once), time-to-live, the lease list, keys attached to
 * and moved between leases, and expiry deleting keys in one revision that watchers see.
 */
class LeaseJetcdTest {
    @RegisterExtension
    static final ClusterExtension SERVER = ClusterExtension.single();

    static final String LEASE_NOT_FOUND = "etcdserver: requested lease not found";
    static final String LEASE_EXISTS = "etcdserver: lease already exists";
    static final String TTL_TOO_LARGE = "etcdserver: too large lease TTL";
    /** etcd's minimum TTL with its default 100 ms heartbeat and 1 s election timeout. */
    static final long MINIMUM_TTL_SECONDS = 2;
    static final long MAX_TTL_SECONDS = 9_000_000_000L;
    /** How long past its TTL an unrenewed lease may take to be revoked by the server. */
    static final long EXPIRY_SLACK_SECONDS = 5;
    static final long POLL_MILLIS = 100;

    private static EtcdGrpc grpc;
    private KV kv;
    private Lease leases;
    private String prefix;

    @BeforeAll
    static void connectGrpc() {
        grpc = SERVER.cluster().newGrpc();
    }

    @AfterAll
    static void closeGrpc() {
        if (grpc != null) {
            grpc.close();
        }
    }

    @BeforeEach
    void startOnOwnPrefix(TestInfo info) {
        kv = SERVER.client().getKVClient();
        leases = SERVER.client().getLeaseClient();
        prefix = "/lease/" + info.getTestMethod().orElseThrow().getName() + "/";
    }

    @Test
    void grantChoosesAnIdKeepsTheTtlAndLeavesTheRevisionAlone() {
        long before = currentRevision();
        io.etcd.jetcd.lease.LeaseGrantResponse granted = await(leases.grant(60));

        assertThat(granted.getID()).isPositive();
        assertThat(granted.getTTL()).isEqualTo(60);
        assertThat(granted.getHeader().getRevision()).isEqualTo(before);
        assertThat(currentRevision()).isEqualTo(before);
        assertThat(await(leases.grant(60)).getID()).isNotEqualTo(granted.getID());
    }

    @Test
    void grantWithAClientChosenIdUsesItAndRefusesItTwice() {
        long id = 0x1ea5e_c0ffeeL;
        LeaseGrantResponse granted = grpc.lease().leaseGrant(LeaseGrantRequest.newBuilder().setID(id).setTTL(30).build());

        assertThat(granted.getID()).isEqualTo(id);
        assertThat(granted.getTTL()).isEqualTo(30);
        assertThat(granted.getError()).isEmpty();
        assertGrpcFails(() -> grpc.lease().leaseGrant(LeaseGrantRequest.newBuilder().setID(id).setTTL(30).build()),
                Status.Code.FAILED_PRECONDITION, LEASE_EXISTS);
        assertThat(LeaseLeasesCall.leaseIds(grpc)).contains(id);
        grpc.lease().leaseRevoke(LeaseRevokeRequest.newBuilder().setID(id).build());
    }

    @Test
    void ttlBelowTheMinimumIsRaisedAndAboveTheMaximumIsRefused() {
        LeaseGrantResponse oneSecond = grpc.lease().leaseGrant(LeaseGrantRequest.newBuilder().setTTL(1).build());
        assertThat(oneSecond.getTTL()).isEqualTo(MINIMUM_TTL_SECONDS);
        LeaseTimeToLiveResponse live = grpc.lease().leaseTimeToLive(
                LeaseTimeToLiveRequest.newBuilder().setID(oneSecond.getID()).build());
        assertThat(live.getGrantedTTL()).isEqualTo(MINIMUM_TTL_SECONDS);

        assertGrpcFails(() -> grpc.lease().leaseGrant(LeaseGrantRequest.newBuilder().setTTL(MAX_TTL_SECONDS + 1).build()),
                Status.Code.OUT_OF_RANGE, TTL_TOO_LARGE);
        assertThat(grpc.lease().leaseGrant(LeaseGrantRequest.newBuilder().setTTL(MAX_TTL_SECONDS).build()).getTTL())
                .isEqualTo(MAX_TTL_SECONDS);
    }

    @Test
    void revokeDeletesEveryAttachedKeyInOneRevision() {
        long id = await(leases.grant(60)).getID();
        for (String name : List.of("a", "b", "c")) {
            await(kv.put(key(name), bytes(name), withLease(id)));
        }
        long beforeRevoke = currentRevision();

        long revoked = await(leases.revoke(id)).getHeader().getRevision();

        assertThat(revoked).isEqualTo(beforeRevoke + 1);
        assertThat(currentRevision()).isEqualTo(revoked);
        assertThat(await(kv.get(key(""), GetOption.builder().isPrefix(true).build())).getKvs()).isEmpty();
        assertThat(await(kv.get(key(""), GetOption.builder().isPrefix(true).withRevision(beforeRevoke).build()))
                .getCount()).isEqualTo(3);
        assertThat(LeaseLeasesCall.leaseIds(grpc)).doesNotContain(id);
    }

    @Test
    void revokingALeaseWithoutKeysLeavesTheRevisionAlone() {
        long id = await(leases.grant(60)).getID();
        long before = currentRevision();

        assertThat(await(leases.revoke(id)).getHeader().getRevision()).isEqualTo(before);
        assertThat(currentRevision()).isEqualTo(before);
    }

    @Test
    void revokingAMissingLeaseIsNotFound() {
        long id = await(leases.grant(60)).getID();
        await(leases.revoke(id));

        assertJetcdFails(() -> leases.revoke(id), Status.Code.NOT_FOUND, LEASE_NOT_FOUND);
        assertGrpcFails(() -> grpc.lease().leaseRevoke(LeaseRevokeRequest.newBuilder().setID(id).build()),
                Status.Code.NOT_FOUND, LEASE_NOT_FOUND);
    }

    @Test
    void keepAliveStreamAnswersEachRequestAndRefreshesTheTtl() throws InterruptedException {
        long id = await(leases.grant(MINIMUM_TTL_SECONDS + 2)).getID();
        // Let the lease age by a second so that the refresh shows.
        awaitCondition(() -> timeToLive(id).getTTL() < MINIMUM_TTL_SECONDS + 2, 5);

        BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        StreamObserver<LeaseKeepAliveRequest> requests = grpc.leaseStreams().leaseKeepAlive(queueInto(received));
        try {
            for (int i = 0; i < 2; i++) {
                requests.onNext(LeaseKeepAliveRequest.newBuilder().setID(id).build());
                LeaseKeepAliveResponse response = nextKeepAlive(received);
                assertThat(response.getID()).isEqualTo(id);
                assertThat(response.getTTL()).isEqualTo(MINIMUM_TTL_SECONDS + 2);
                assertThat(response.getHeader().getRevision()).isPositive();
            }
            assertThat(timeToLive(id).getTTL()).isGreaterThanOrEqualTo(MINIMUM_TTL_SECONDS + 1);

            long missing = id + 1_000_000;
            requests.onNext(LeaseKeepAliveRequest.newBuilder().setID(missing).build());
            LeaseKeepAliveResponse unknown = nextKeepAlive(received);
            assertThat(unknown.getID()).isEqualTo(missing);
            assertThat(unknown.getTTL()).isZero();
        } finally {
            requests.onCompleted();
            await(leases.revoke(id));
        }
    }

    @Test
    void jetcdKeepAliveKeepsALeaseAliveBeyondItsTtl() throws InterruptedException {
        long id = await(leases.grant(MINIMUM_TTL_SECONDS)).getID();
        await(kv.put(key("a"), bytes("v"), withLease(id)));
        BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        try (var keepAlive = leases.keepAlive(id, queueInto(received))) {
            io.etcd.jetcd.lease.LeaseKeepAliveResponse first = nextJetcdKeepAlive(received);
            assertThat(first.getID()).isEqualTo(id);
            assertThat(first.getTTL()).isEqualTo(MINIMUM_TTL_SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MINIMUM_TTL_SECONDS + 1);
            while (System.nanoTime() < deadline) {
                nextJetcdKeepAlive(received);
            }
            assertThat(await(kv.get(key("a"))).getCount()).isEqualTo(1);
            assertThat(timeToLive(id).getTTL()).isPositive();
        } finally {
            await(leases.revoke(id));
        }
    }

    @Test
    void keepAliveOnceRefreshesTheTtlAndFailsForAMissingLease() {
        long id = await(leases.grant(60)).getID();

        io.etcd.jetcd.lease.LeaseKeepAliveResponse once = await(leases.keepAliveOnce(id));
        assertThat(once.getID()).isEqualTo(id);
        assertThat(once.getTTL()).isEqualTo(60);

        await(leases.revoke(id));
        // jetcd turns the server's TTL of 0 for an unknown lease into this error.
        assertJetcdFails(() -> leases.keepAliveOnce(id), Status.Code.NOT_FOUND, LEASE_NOT_FOUND);
    }

    @Test
    void timeToLiveReportsTtlGrantedTtlAndKeysOnRequest() {
        long id = await(leases.grant(60)).getID();
        await(kv.put(key("a"), bytes("1"), withLease(id)));
        await(kv.put(key("b"), bytes("2"), withLease(id)));
        try {
            io.etcd.jetcd.lease.LeaseTimeToLiveResponse withKeys =
                    await(leases.timeToLive(id, LeaseOption.builder().withAttachedKeys().build()));
            assertThat(withKeys.getID()).isEqualTo(id);
            assertThat(withKeys.getGrantedTTL()).isEqualTo(60);
            assertThat(withKeys.getTTL()).isBetween(58L, 60L);
            assertThat(withKeys.getKeys()).extracting(Jetcd::text).containsExactlyInAnyOrder(prefix + "a", prefix + "b");

            io.etcd.jetcd.lease.LeaseTimeToLiveResponse withoutKeys = await(leases.timeToLive(id, LeaseOption.DEFAULT));
            assertThat(withoutKeys.getKeys()).isEmpty();
            assertThat(withoutKeys.getGrantedTTL()).isEqualTo(60);
        } finally {
            await(leases.revoke(id));
        }
    }

    @Test
    void timeToLiveOfAMissingLeaseIsMinusOne() {
        long id = await(leases.grant(60)).getID();
        await(leases.revoke(id));

        LeaseTimeToLiveResponse missing = grpc.lease().leaseTimeToLive(
                LeaseTimeToLiveRequest.newBuilder().setID(id).setKeys(true).build());
        assertThat(missing.getID()).isEqualTo(id);
        assertThat(missing.getTTL()).isEqualTo(-1);
        assertThat(missing.getGrantedTTL()).isZero();
        assertThat(missing.getKeysList()).isEmpty();
        assertThat(missing.getHeader().getRevision()).isEqualTo(currentRevision());
        assertThat(await(leases.timeToLive(id, LeaseOption.DEFAULT)).getTTL()).isEqualTo(-1);
    }

    @Test
    void leaseListHoldsExactlyTheLiveLeases() {
        long first = await(leases.grant(60)).getID();
        long second = await(leases.grant(60)).getID();

        assertThat(LeaseLeasesCall.leaseIds(grpc)).contains(first, second);
        await(leases.revoke(first));
        assertThat(LeaseLeasesCall.leaseIds(grpc)).contains(second).doesNotContain(first);
        await(leases.revoke(second));
        assertThat(LeaseLeasesCall.leaseIds(grpc)).doesNotContain(first, second);
    }

    @Test
    void putWithAnotherLeaseMovesTheKeyToIt() {
        long first = await(leases.grant(60)).getID();
        long second = await(leases.grant(60)).getID();
        await(kv.put(key("a"), bytes("1"), withLease(first)));
        await(kv.put(key("a"), bytes("2"), withLease(second)));

        assertThat(single(key("a")).getLease()).isEqualTo(second);
        assertThat(attachedKeys(first)).isEmpty();
        assertThat(attachedKeys(second)).containsExactly(prefix + "a");

        await(leases.revoke(first));
        assertThat(text(single(key("a")).getValue())).isEqualTo("2");
        await(leases.revoke(second));
        assertThat(await(kv.get(key("a"))).getCount()).isZero();
    }

    @Test
    void putWithoutALeaseDetachesTheKey() {
        long id = await(leases.grant(60)).getID();
        await(kv.put(key("a"), bytes("1"), withLease(id)));
        await(kv.put(key("a"), bytes("2")));

        assertThat(single(key("a")).getLease()).isZero();
        assertThat(attachedKeys(id)).isEmpty();
        await(leases.revoke(id));
        assertThat(await(kv.get(key("a"))).getCount()).isEqualTo(1);
    }

    @Test
    void anUnrenewedLeaseExpiresAndItsKeysAreDeletedInOneRevisionThatWatchersSee() {
        long id = await(leases.grant(MINIMUM_TTL_SECONDS)).getID();
        long first = await(kv.put(key("a"), bytes("1"), withLease(id))).getHeader().getRevision();
        long second = await(kv.put(key("b"), bytes("2"), withLease(id))).getHeader().getRevision();

        try (RawWatchStream stream = RawWatchStream.open(grpc)) {
            stream.createAndAwait(watchPrefix(prefix).setPrevKv(true));

            awaitCondition(() -> await(kv.get(key(""), GetOption.builder().isPrefix(true).build())).getCount() == 0,
                    MINIMUM_TTL_SECONDS + EXPIRY_SLACK_SECONDS);

            List<Event> events = stream.events(2);
            long expiredAt = events.get(0).getKv().getModRevision();
            assertThat(expiredAt).isEqualTo(second + 1);
            assertThat(events).allSatisfy(e -> {
                assertThat(e.getType()).isEqualTo(Event.EventType.DELETE);
                assertThat(e.getKv().getModRevision()).isEqualTo(expiredAt);
                assertThat(e.getPrevKv().getLease()).isEqualTo(id);
            });
            assertThat(events).extracting(e -> e.getKv().getKey().toStringUtf8())
                    .containsExactly(prefix + "a", prefix + "b");
            assertThat(events.get(0).getPrevKv().getModRevision()).isEqualTo(first);
            assertThat(timeToLive(id).getTTL()).isEqualTo(-1);
            assertThat(LeaseLeasesCall.leaseIds(grpc)).doesNotContain(id);
        }
    }

    private LeaseTimeToLiveResponse timeToLive(long id) {
        return grpc.lease().leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder().setID(id).build());
    }

    private List<String> attachedKeys(long id) {
        return grpc.lease().leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder().setID(id).setKeys(true).build())
                .getKeysList().stream().map(k -> k.toStringUtf8()).toList();
    }

    private KeyValue single(ByteSequence key) {
        List<KeyValue> kvs = await(kv.get(key)).getKvs();
        assertThat(kvs).hasSize(1);
        return kvs.get(0);
    }

    private static PutOption withLease(long id) {
        return PutOption.builder().withLeaseId(id).build();
    }

    private static <T> StreamObserver<T> queueInto(BlockingQueue<Object> received) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                received.add(value);
            }

            @Override
            public void onError(Throwable error) {
                received.add(error);
            }

            @Override
            public void onCompleted() {
                received.add("completed");
            }
        };
    }

    private static LeaseKeepAliveResponse nextKeepAlive(BlockingQueue<Object> received) throws InterruptedException {
        Object item = received.poll(Jetcd.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertThat(item).as("keep-alive response").isInstanceOf(LeaseKeepAliveResponse.class);
        return (LeaseKeepAliveResponse) item;
    }

    private static io.etcd.jetcd.lease.LeaseKeepAliveResponse nextJetcdKeepAlive(BlockingQueue<Object> received)
            throws InterruptedException {
        Object item = received.poll(Jetcd.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertThat(item).as("keep-alive response").isInstanceOf(io.etcd.jetcd.lease.LeaseKeepAliveResponse.class);
        return (io.etcd.jetcd.lease.LeaseKeepAliveResponse) item;
    }

    /** Polls until the condition holds, failing after {@code timeoutSeconds}. */
    static void awaitCondition(BooleanSupplier condition, long timeoutSeconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition still false after " + timeoutSeconds + " s");
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private ByteSequence key(String name) {
        return bytes(prefix + name);
    }

    private long currentRevision() {
        return await(kv.get(bytes("/lease-revision-probe"))).getHeader().getRevision();
    }
}
