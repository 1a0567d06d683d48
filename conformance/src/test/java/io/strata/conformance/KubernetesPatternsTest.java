package io.strata.conformance;

import static io.strata.conformance.Jetcd.assertGrpcFails;
import static io.strata.conformance.RawWatchStream.prefixEnd;
import static io.strata.conformance.RawWatchStream.raw;
import static io.strata.conformance.RawWatchStream.watchPrefix;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.CompactionRequest;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseRevokeRequest;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.TxnResponse;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.strata.conformance.harness.ClusterExtension;
import io.strata.conformance.harness.EtcdGrpc;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The calls kube-apiserver's etcd3 storage makes, in the shapes it makes them: the compaction
 * Txn on {@code compact_rev_key} followed by Compact, Get as a limit-1 Range, paginated Lists
 * pinned to the first page's revision, create/update/delete as Txns on mod_revision with a Get
 * in the else branch, the watch cache's watch with prev_kv, progress_notify and progress
 * requests, and one lease shared by many event objects.
 */
class KubernetesPatternsTest {
    static final String PROGRESS_NOTIFY_INTERVAL = "500ms";
    static final String COMPACT_REV_KEY = "compact_rev_key";
    static final String COMPACTED = "etcdserver: mvcc: required revision has been compacted";
    /** The oldest etcd 3.5 that Kubernetes trusts with RequestWatchProgress. */
    static final int[] MIN_WATCH_PROGRESS_VERSION = {3, 5, 13};

    @RegisterExtension
    static final ClusterExtension SERVER = ClusterExtension.singleWithFlags(
            "--experimental-watch-progress-notify-interval=" + PROGRESS_NOTIFY_INTERVAL);

    private static EtcdGrpc grpc;
    private String registry;

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
        registry = "/registry/" + info.getTestMethod().orElseThrow().getName() + "/";
    }

    @Test
    void statusVersionIsOneKubernetesTrustsWithWatchProgressRequests() {
        String version = grpc.maintenance().status(StatusRequest.getDefaultInstance()).getVersion();
        Matcher semver = Pattern.compile("^([0-9]+)\\.([0-9]+)\\.([0-9]+)").matcher(version);
        assertThat(semver.find()).as("semver in %s", version).isTrue();
        int[] parts = {Integer.parseInt(semver.group(1)), Integer.parseInt(semver.group(2)),
                Integer.parseInt(semver.group(3))};
        assertThat(java.util.Arrays.compare(parts, MIN_WATCH_PROGRESS_VERSION)).as("version %s", version)
                .isGreaterThanOrEqualTo(0);
    }

    @Test
    void compactionTxnOnCompactRevKeyLetsOneApiServerWinThenCompacts() {
        for (int i = 0; i < 3; i++) {
            create(registry + "pod-" + i, "v" + i);
        }
        long compactTo = currentRevision();

        TxnResponse won = compactTxn(0, compactTo);
        assertThat(won.getSucceeded()).isTrue();
        assertThat(won.getHeader().getRevision()).isEqualTo(compactTo + 1);
        grpc.kv().compact(CompactionRequest.newBuilder().setRevision(compactTo).build());

        // A second API server that saw version 0 loses and learns the winner's value and version.
        TxnResponse lost = compactTxn(0, compactTo);
        assertThat(lost.getSucceeded()).isFalse();
        assertThat(lost.getHeader().getRevision()).isEqualTo(compactTo + 1);
        KeyValue winner = lost.getResponses(0).getResponseRange().getKvs(0);
        assertThat(winner.getValue().toStringUtf8()).isEqualTo(Long.toString(compactTo));
        assertThat(winner.getVersion()).isEqualTo(versionAfterWin(won));

        assertGrpcFails(() -> grpc.kv().range(RangeRequest.newBuilder().setKey(raw(registry))
                .setRangeEnd(prefixEnd(registry)).setRevision(compactTo - 1).build()), Status.Code.OUT_OF_RANGE,
                COMPACTED);
        RangeResponse atCompaction = grpc.kv().range(RangeRequest.newBuilder().setKey(raw(registry))
                .setRangeEnd(prefixEnd(registry)).setRevision(compactTo).build());
        assertThat(atCompaction.getCount()).isEqualTo(3);

        // The next round, five minutes later in a real cluster, compares against the new version.
        long next = currentRevision();
        assertThat(compactTxn(winner.getVersion(), next).getSucceeded()).isTrue();
        grpc.kv().compact(CompactionRequest.newBuilder().setRevision(next).build());
    }

    @Test
    void getIsALimitOneRangeWhoseHeaderIsTheCurrentRevision() {
        String key = registry + "pod";
        long created = create(key, "v1");
        update(key, created, "v2");
        long now = currentRevision();

        RangeResponse latest = grpc.kv().range(RangeRequest.newBuilder().setKey(raw(key)).setLimit(1).build());
        assertThat(latest.getKvsList()).extracting(kv -> kv.getValue().toStringUtf8()).containsExactly("v2");
        assertThat(latest.getCount()).isEqualTo(1);
        assertThat(latest.getMore()).isFalse();
        assertThat(latest.getHeader().getRevision()).isEqualTo(now);

        RangeResponse old = grpc.kv().range(RangeRequest.newBuilder().setKey(raw(key)).setLimit(1)
                .setRevision(created).build());
        assertThat(old.getKvsList()).extracting(kv -> kv.getValue().toStringUtf8()).containsExactly("v1");
        assertThat(old.getHeader().getRevision()).isEqualTo(now);

        RangeResponse missing = grpc.kv().range(RangeRequest.newBuilder().setKey(raw(registry + "none")).setLimit(1)
                .build());
        assertThat(missing.getKvsCount()).isZero();
        assertThat(missing.getCount()).isZero();
    }

    @Test
    void paginatedListStaysOnTheFirstPagesRevision() {
        for (int i = 0; i < 5; i++) {
            create(registry + "pod-" + i, "v" + i);
        }
        ByteString end = prefixEnd(registry);

        RangeResponse first = grpc.kv().range(RangeRequest.newBuilder().setKey(raw(registry)).setRangeEnd(end)
                .setLimit(2).build());
        long listRevision = first.getHeader().getRevision();
        assertThat(first.getKvsCount()).isEqualTo(2);
        assertThat(first.getMore()).isTrue();
        assertThat(first.getCount()).isEqualTo(5);

        // Writes between pages must not show up in later pages of the same list.
        create(registry + "pod-9", "late");
        update(registry + "pod-4", first.getKvs(0).getModRevision() + 4, "changed");

        List<String> listed = new ArrayList<>(keysOf(first));
        RangeResponse page = first;
        List<Long> counts = new ArrayList<>();
        while (page.getMore()) {
            ByteString next = page.getKvs(page.getKvsCount() - 1).getKey().concat(ByteString.copyFrom(new byte[] {0}));
            page = grpc.kv().range(RangeRequest.newBuilder().setKey(next).setRangeEnd(end).setLimit(2)
                    .setRevision(listRevision).build());
            assertThat(page.getHeader().getRevision()).isGreaterThan(listRevision);
            counts.add(page.getCount());
            listed.addAll(keysOf(page));
            page.getKvsList().forEach(kv -> assertThat(kv.getModRevision()).isLessThanOrEqualTo(listRevision));
        }
        assertThat(listed).containsExactly(registry + "pod-0", registry + "pod-1", registry + "pod-2",
                registry + "pod-3", registry + "pod-4");
        assertThat(counts).containsExactly(3L, 1L);
    }

    @Test
    void createUpdateAndDeleteAreTxnsOnModRevisionWithAGetInTheElseBranch() {
        String key = registry + "pod";
        long before = currentRevision();

        TxnResponse created = guardedPut(key, 0, "v1");
        assertThat(created.getSucceeded()).isTrue();
        assertThat(created.getHeader().getRevision()).isEqualTo(before + 1);
        assertThat(created.getResponses(0).hasResponsePut()).isTrue();

        TxnResponse exists = guardedPut(key, 0, "again");
        assertThat(exists.getSucceeded()).isFalse();
        assertThat(exists.getHeader().getRevision()).isEqualTo(before + 1);
        KeyValue current = exists.getResponses(0).getResponseRange().getKvs(0);
        assertThat(current.getValue().toStringUtf8()).isEqualTo("v1");
        assertThat(current.getModRevision()).isEqualTo(before + 1);

        TxnResponse updated = guardedPut(key, before + 1, "v2");
        assertThat(updated.getSucceeded()).isTrue();
        assertThat(updated.getHeader().getRevision()).isEqualTo(before + 2);

        TxnResponse conflict = guardedPut(key, before + 1, "stale");
        assertThat(conflict.getSucceeded()).isFalse();
        assertThat(conflict.getResponses(0).getResponseRange().getKvs(0).getModRevision()).isEqualTo(before + 2);
        assertThat(currentRevision()).isEqualTo(before + 2);

        TxnResponse staleDelete = guardedDelete(key, before + 1);
        assertThat(staleDelete.getSucceeded()).isFalse();
        assertThat(staleDelete.getResponses(0).getResponseRange().getKvs(0).getValue().toStringUtf8()).isEqualTo("v2");

        TxnResponse deleted = guardedDelete(key, before + 2);
        assertThat(deleted.getSucceeded()).isTrue();
        assertThat(deleted.getResponses(0).getResponseDeleteRange().getDeleted()).isEqualTo(1);
        assertThat(deleted.getHeader().getRevision()).isEqualTo(before + 3);

        TxnResponse deleteMissing = guardedDelete(key, before + 2);
        assertThat(deleteMissing.getSucceeded()).isFalse();
        assertThat(deleteMissing.getResponses(0).getResponseRange().getKvsCount()).isZero();
        assertThat(currentRevision()).isEqualTo(before + 3);
    }

    @Test
    void watchCacheWatchGetsPrevKvProgressNotificationsAndProgressAnswers() {
        for (int i = 0; i < 3; i++) {
            create(registry + "pod-" + i, "v" + i);
        }
        RangeResponse list = grpc.kv().range(RangeRequest.newBuilder().setKey(raw(registry))
                .setRangeEnd(prefixEnd(registry)).build());
        long listRevision = list.getHeader().getRevision();
        update(registry + "pod-0", list.getKvs(0).getModRevision(), "changed after the list");

        Metadata leaderRequired = new Metadata();
        leaderRequired.put(Metadata.Key.of("hasleader", Metadata.ASCII_STRING_MARSHALLER), "true");
        try (RawWatchStream stream = RawWatchStream.open(
                grpc.watch().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(leaderRequired)))) {
            long watchId = stream.createAndAwait(watchPrefix(registry).setStartRevision(listRevision + 1)
                    .setPrevKv(true).setProgressNotify(true)).getWatchId();

            Event replayed = stream.events(1).get(0);
            assertThat(replayed.getPrevKv().getValue().toStringUtf8()).isEqualTo("v0");
            assertThat(replayed.getKv().getValue().toStringUtf8()).isEqualTo("changed after the list");

            long deletedAt = guardedDelete(registry + "pod-1", list.getKvs(1).getModRevision()).getHeader().getRevision();
            Event deleted = stream.events(1).get(0);
            assertThat(deleted.getType()).isEqualTo(Event.EventType.DELETE);
            assertThat(deleted.getKv().getModRevision()).isEqualTo(deletedAt);
            assertThat(deleted.getPrevKv().getValue().toStringUtf8()).isEqualTo("v1");

            stream.requestProgress();
            WatchResponse progress = nextSkippingNotifications(stream, watchId);
            assertThat(progress.getWatchId()).isEqualTo(-1);
            assertThat(progress.getHeader().getRevision()).isEqualTo(deletedAt);

            WatchResponse notification = stream.next();
            assertThat(notification.getWatchId()).isEqualTo(watchId);
            assertThat(notification.getEventsCount()).isZero();
            assertThat(notification.getCreated()).isFalse();
            assertThat(notification.getCanceled()).isFalse();
            assertThat(notification.getCompactRevision()).isZero();
            assertThat(notification.getHeader().getRevision()).isEqualTo(deletedAt);
        }
    }

    @Test
    void oneLeaseSharedByManyEventsIsRevokedInOneRevisionWithADeletePerEvent() {
        long leaseId = grpc.lease().leaseGrant(LeaseGrantRequest.newBuilder().setTTL(3600 + 60).build()).getID();
        int events = 5;
        for (int i = 0; i < events; i++) {
            TxnResponse created = grpc.kv().txn(TxnRequest.newBuilder()
                    .addCompare(modRevisionIs(registry + "event-" + i, 0))
                    .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder()
                            .setKey(raw(registry + "event-" + i)).setValue(raw("e" + i)).setLease(leaseId)))
                    .addFailure(getOp(registry + "event-" + i)).build());
            assertThat(created.getSucceeded()).isTrue();
        }
        long before = currentRevision();

        try (RawWatchStream stream = RawWatchStream.open(grpc)) {
            stream.createAndAwait(watchPrefix(registry).setPrevKv(true));
            long revoked = grpc.lease().leaseRevoke(LeaseRevokeRequest.newBuilder().setID(leaseId).build())
                    .getHeader().getRevision();

            assertThat(revoked).isEqualTo(before + 1);
            List<Event> deletes = stream.events(events);
            assertThat(deletes).allSatisfy(e -> {
                assertThat(e.getType()).isEqualTo(Event.EventType.DELETE);
                assertThat(e.getKv().getModRevision()).isEqualTo(revoked);
                assertThat(e.getPrevKv().getLease()).isEqualTo(leaseId);
            });
            assertThat(grpc.kv().range(RangeRequest.newBuilder().setKey(raw(registry))
                    .setRangeEnd(prefixEnd(registry)).setCountOnly(true).build()).getCount()).isZero();
        }
    }

    /** Progress notifications may come at any time; the answer to a progress request is the one with id -1. */
    private static WatchResponse nextSkippingNotifications(RawWatchStream stream, long watchId) {
        WatchResponse response = stream.next();
        while (response.getWatchId() == watchId && response.getEventsCount() == 0) {
            response = stream.next();
        }
        return response;
    }

    private static long versionAfterWin(TxnResponse won) {
        return grpc.kv().range(RangeRequest.newBuilder().setKey(raw(COMPACT_REV_KEY)).build()).getKvs(0).getVersion();
    }

    private static TxnResponse compactTxn(long expectedVersion, long revision) {
        return grpc.kv().txn(TxnRequest.newBuilder()
                .addCompare(Compare.newBuilder().setKey(raw(COMPACT_REV_KEY)).setTarget(Compare.CompareTarget.VERSION)
                        .setResult(Compare.CompareResult.EQUAL).setVersion(expectedVersion))
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(raw(COMPACT_REV_KEY))
                        .setValue(raw(Long.toString(revision)))))
                .addFailure(getOp(COMPACT_REV_KEY)).build());
    }

    private static long create(String key, String value) {
        TxnResponse response = guardedPut(key, 0, value);
        assertThat(response.getSucceeded()).as("create %s", key).isTrue();
        return response.getHeader().getRevision();
    }

    private static void update(String key, long modRevision, String value) {
        assertThat(guardedPut(key, modRevision, value).getSucceeded()).as("update %s", key).isTrue();
    }

    private static TxnResponse guardedPut(String key, long modRevision, String value) {
        return grpc.kv().txn(TxnRequest.newBuilder()
                .addCompare(modRevisionIs(key, modRevision))
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(raw(key))
                        .setValue(raw(value))))
                .addFailure(getOp(key)).build());
    }

    private static TxnResponse guardedDelete(String key, long modRevision) {
        return grpc.kv().txn(TxnRequest.newBuilder()
                .addCompare(modRevisionIs(key, modRevision))
                .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder()
                        .setKey(raw(key))))
                .addFailure(getOp(key)).build());
    }

    private static Compare modRevisionIs(String key, long modRevision) {
        return Compare.newBuilder().setKey(raw(key)).setTarget(Compare.CompareTarget.MOD)
                .setResult(Compare.CompareResult.EQUAL).setModRevision(modRevision).build();
    }

    private static RequestOp getOp(String key) {
        return RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(raw(key))).build();
    }

    private static List<String> keysOf(RangeResponse response) {
        return response.getKvsList().stream().map(kv -> kv.getKey().toStringUtf8()).toList();
    }

    private static long currentRevision() {
        return grpc.kv().range(RangeRequest.newBuilder().setKey(raw("/kubernetes-revision-probe")).build())
                .getHeader().getRevision();
    }
}
