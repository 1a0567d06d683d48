package io.strata.conformance;

import static io.strata.conformance.Jetcd.await;
import static io.strata.conformance.Jetcd.bytes;
import static io.strata.conformance.Jetcd.text;
import static io.strata.conformance.RawWatchStream.raw;
import static io.strata.conformance.RawWatchStream.watchKey;
import static io.strata.conformance.RawWatchStream.watchPrefix;
import static io.strata.conformance.RawWatchStream.withWatchId;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.strata.conformance.harness.ClusterExtension;
import io.strata.conformance.harness.EtcdGrpc;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Watch service: ids and created responses, events with every field, prev_kv, history
 * replay, ranges, filters, cancel, compaction, progress requests and periodic progress
 * notifications. Mostly through the raw gRPC stream, since jetcd hides watch ids and progress
 * responses; one test goes through jetcd's watch client as an application would.
 */
class WatchJetcdTest {
    /** Short, so that periodic progress notifications arrive within a test's patience. */
    static final String PROGRESS_NOTIFY_INTERVAL = "500ms";

    @RegisterExtension
    static final ClusterExtension SERVER = ClusterExtension.singleWithFlags(
            "--experimental-watch-progress-notify-interval=" + PROGRESS_NOTIFY_INTERVAL);

    private static EtcdGrpc grpc;
    private KV kv;
    private String prefix;
    private long base;

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
        prefix = "/watch/" + info.getTestMethod().orElseThrow().getName() + "/";
        base = currentRevision();
    }

    @Test
    void createdResponsesNumberWatchesFromZeroOnEachStream() {
        try (RawWatchStream first = RawWatchStream.open(grpc); RawWatchStream second = RawWatchStream.open(grpc)) {
            for (int expectedId = 0; expectedId < 3; expectedId++) {
                WatchResponse created = first.createAndAwait(watchKey(prefix + expectedId));
                assertThat(created.getWatchId()).isEqualTo(expectedId);
                assertThat(created.getCanceled()).isFalse();
                assertThat(created.getEventsCount()).isZero();
                assertThat(created.getCompactRevision()).isZero();
                assertThat(created.getHeader().getRevision()).isEqualTo(base);
                assertThat(created.getHeader().getClusterId()).isNotZero();
                assertThat(created.getHeader().getMemberId()).isNotZero();
            }
            assertThat(second.createAndAwait(watchKey(prefix + "0")).getWatchId()).isZero();

            long revision = put("1", "v");
            WatchResponse event = first.next();
            assertThat(event.getWatchId()).isEqualTo(1);
            assertThat(event.getHeader().getRevision()).isEqualTo(revision);
            assertThat(event.getEventsList()).extracting(e -> e.getKv().getKey().toStringUtf8())
                    .containsExactly(prefix + "1");
            first.assertQuiet();
            second.assertQuiet();
        }
    }

    @Test
    void clientChosenWatchIdIsUsedAndADuplicateIdIsRefused() {
        try (RawWatchStream stream = RawWatchStream.open(grpc)) {
            assertThat(stream.createAndAwait(withWatchId(watchKey(prefix + "a"), 7)).getWatchId()).isEqualTo(7);

            WatchResponse duplicate = stream.createAndAwait(withWatchId(watchKey(prefix + "b"), 7));
            assertThat(duplicate.getCanceled()).isTrue();
            assertThat(duplicate.getWatchId()).isEqualTo(-1);
            assertThat(duplicate.getCancelReason()).isEqualTo("mvcc: duplicate watch ID provided on the WatchStream");

            assertThat(stream.createAndAwait(watchKey(prefix + "c")).getWatchId()).isZero();

            long revision = put("a", "v");
            WatchResponse event = stream.next();
            assertThat(event.getWatchId()).isEqualTo(7);
            assertThat(event.getEvents(0).getKv().getModRevision()).isEqualTo(revision);
        }
    }

    @Test
    void putAndDeleteEventsArriveInOrderWithTheWholeKeyValue() {
        long leaseId = await(SERVER.client().getLeaseClient().grant(60)).getID();
        try (RawWatchStream stream = RawWatchStream.open(grpc)) {
            stream.createAndAwait(watchPrefix(prefix));

            long created = put("a", "1");
            long updated = await(kv.put(key("a"), bytes("2"), PutOption.builder().withLeaseId(leaseId).build()))
                    .getHeader().getRevision();
            long deleted = await(kv.delete(key("a"))).getHeader().getRevision();
            long recreated = put("a", "3");

            List<Event> events = stream.events(4);
            assertThat(events).extracting(Event::getType).containsExactly(Event.EventType.PUT, Event.EventType.PUT,
                    Event.EventType.DELETE, Event.EventType.PUT);
            assertThat(events.get(0).getKv()).isEqualTo(kv("a", "1", created, created, 1, 0));
            assertThat(events.get(1).getKv()).isEqualTo(kv("a", "2", created, updated, 2, leaseId));
            assertThat(events.get(2).getKv())
                    .isEqualTo(KeyValue.newBuilder().setKey(raw(prefix + "a")).setModRevision(deleted).build());
            assertThat(events.get(3).getKv()).isEqualTo(kv("a", "3", recreated, recreated, 1, 0));
            assertThat(events).noneMatch(Event::hasPrevKv);
        } finally {
            await(SERVER.client().getLeaseClient().revoke(leaseId));
        }
    }

    @Test
    void prevKvComesWithEveryUpdateAndDeleteButNotWithACreate() {
        try (RawWatchStream stream = RawWatchStream.open(grpc)) {
            stream.createAndAwait(watchPrefix(prefix).setPrevKv(true));

            long created = put("a", "1");
            long updated = put("a", "2");
            await(kv.delete(key("a")));

            List<Event> events = stream.events(3);
            assertThat(events.get(0).hasPrevKv()).isFalse();
            assertThat(events.get(1).getPrevKv()).isEqualTo(kv("a", "1", created, created, 1, 0));
            assertThat(events.get(2).getType()).isEqualTo(Event.EventType.DELETE);
            assertThat(events.get(2).getPrevKv()).isEqualTo(kv("a", "2", created, updated, 2, 0));
        }
    }

    @Test
    void startRevisionInThePastReplaysHistoryThenGoesOnLive() {
        long first = put("a", "1");
        long second = put("b", "1");
        long third = await(kv.delete(key("a"))).getHeader().getRevision();

        try (RawWatchStream stream = RawWatchStream.open(grpc)) {
            stream.createAndAwait(watchPrefix(prefix).setStartRevision(first).setPrevKv(true));
            List<Event> history = stream.events(3);
            assertThat(history).extracting(e -> e.getKv().getModRevision()).containsExactly(first, second, third);
            assertThat(history.get(2).getType()).isEqualTo(Event.EventType.DELETE);
            assertThat(history.get(2).getPrevKv().getValue().toStringUtf8()).isEqualTo("1");

            long live = put("c", "1");
            assertThat(stream.events(1).get(0).getKv().getModRevision()).isEqualTo(live);
        }
        try (RawWatchStream stream = RawWatchStream.open(grpc)) {
            stream.createAndAwait(watchPrefix(prefix).setStartRevision(third));
            assertThat(stream.events(2)).extracting(e -> e.getKv().getKey().toStringUtf8())
                    .containsExactly(prefix + "a", prefix + "c");
        }
    }

    @Test
    void prefixAndFromKeyRangesSelectTheirKeysOnly() {
        try (RawWatchStream stream = RawWatchStream.open(grpc)) {
            stream.createAndAwait(watchPrefix(prefix + "p/"));
            stream.createAndAwait(watchKey(prefix + "m").setRangeEnd(ByteString.copyFrom(new byte[] {0})));
            stream.createAndAwait(watchKey(prefix + "b").setRangeEnd(raw(prefix + "d")));

            put("a", "outside every range but from-key's start is above it");
            put("p/x", "in the prefix and from-key");
            put("c", "in the explicit range");
            put("z", "from-key only");
            put("d", "range end is exclusive");

            List<WatchResponse> responses = stream.eventResponses(4);
            assertThat(responses).extracting(r -> r.getWatchId() + " " + r.getEvents(0).getKv().getKey().toStringUtf8())
                    .containsExactlyInAnyOrder("0 " + prefix + "p/x", "1 " + prefix + "p/x", "2 " + prefix + "c",
                            "1 " + prefix + "z");
            stream.assertQuiet();
        }
    }

    @Test
    void noPutAndNoDeleteFiltersDropThoseEvents() {
        try (RawWatchStream stream = RawWatchStream.open(grpc)) {
            long noPut = stream.createAndAwait(watchPrefix(prefix).addFilters(WatchCreateRequest.FilterType.NOPUT))
                    .getWatchId();
            long noDelete = stream.createAndAwait(watchPrefix(prefix)
                    .addFilters(WatchCreateRequest.FilterType.NODELETE)).getWatchId();

            long putRevision = put("a", "1");
            long deleteRevision = await(kv.delete(key("a"))).getHeader().getRevision();

            List<WatchResponse> responses = stream.eventResponses(2);
            assertThat(responses).extracting(r -> r.getWatchId() + " " + r.getEvents(0).getType() + " "
                    + r.getEvents(0).getKv().getModRevision())
                    .containsExactlyInAnyOrder(noDelete + " PUT " + putRevision, noPut + " DELETE " + deleteRevision);
            stream.assertQuiet();
        }
    }

    @Test
    void aTxnWritingThreeKeysGivesOneResponseWithThreeEventsOfOneRevision() {
        try (RawWatchStream stream = RawWatchStream.open(grpc)) {
            stream.createAndAwait(watchPrefix(prefix));

            long revision = await(kv.txn().Then(
                    Op.put(key("a"), bytes("1"), PutOption.DEFAULT),
                    Op.put(key("b"), bytes("2"), PutOption.DEFAULT),
                    Op.put(key("c"), bytes("3"), PutOption.DEFAULT)).commit()).getHeader().getRevision();

            WatchResponse response = stream.next();
            assertThat(response.getHeader().getRevision()).isEqualTo(revision);
            assertThat(response.getEventsList()).extracting(e -> e.getKv().getKey().toStringUtf8())
                    .containsExactly(prefix + "a", prefix + "b", prefix + "c");
            assertThat(response.getEventsList()).allSatisfy(e -> assertThat(e.getKv().getModRevision()).isEqualTo(revision));
        }
    }

    @Test
    void cancelIsConfirmedAndStopsTheEvents() {
        try (RawWatchStream stream = RawWatchStream.open(grpc)) {
            long kept = stream.createAndAwait(watchPrefix(prefix)).getWatchId();
            long cancelled = stream.createAndAwait(watchKey(prefix + "a")).getWatchId();

            stream.cancel(cancelled);
            WatchResponse confirmation = stream.next();
            assertThat(confirmation.getWatchId()).isEqualTo(cancelled);
            assertThat(confirmation.getCanceled()).isTrue();
            assertThat(confirmation.getCreated()).isFalse();
            assertThat(confirmation.getEventsCount()).isZero();
            assertThat(confirmation.getCompactRevision()).isZero();

            put("a", "1");
            WatchResponse event = stream.next();
            assertThat(event.getWatchId()).isEqualTo(kept);
            stream.assertQuiet();
        }
    }

    @Test
    void watchFromACompactedRevisionIsCreatedThenCanceledWithTheCompactRevision() {
        put("a", "1");
        long compactRevision = put("a", "2");
        await(kv.compact(compactRevision));

        try (RawWatchStream stream = RawWatchStream.open(grpc)) {
            WatchResponse created = stream.createAndAwait(watchPrefix(prefix).setStartRevision(compactRevision - 1));
            assertThat(created.getCanceled()).isFalse();

            WatchResponse canceled = stream.next();
            assertThat(canceled.getWatchId()).isEqualTo(created.getWatchId());
            assertThat(canceled.getCanceled()).isTrue();
            assertThat(canceled.getCompactRevision()).isEqualTo(compactRevision);
            assertThat(canceled.getEventsCount()).isZero();

            // The compacted revision itself is still watchable.
            WatchResponse atCompaction = stream.createAndAwait(watchPrefix(prefix).setStartRevision(compactRevision));
            assertThat(atCompaction.getCanceled()).isFalse();
            WatchResponse replayed = stream.next();
            assertThat(replayed.getEventsList()).extracting(e -> e.getKv().getModRevision())
                    .containsExactly(compactRevision);
        }
    }

    @Test
    void progressRequestIsAnsweredWithWatchIdMinusOneAndTheCurrentRevision() {
        try (RawWatchStream stream = RawWatchStream.open(grpc)) {
            stream.createAndAwait(watchKey(prefix + "a"));
            stream.createAndAwait(watchKey(prefix + "b"));
            long revision = put("elsewhere", "not watched");

            stream.requestProgress();
            WatchResponse progress = stream.next();
            assertThat(progress.getWatchId()).isEqualTo(-1);
            assertThat(progress.getHeader().getRevision()).isEqualTo(revision);
            assertThat(progress.getCreated()).isFalse();
            assertThat(progress.getCanceled()).isFalse();
            assertThat(progress.getCompactRevision()).isZero();
            assertThat(progress.getEventsCount()).isZero();
            // One answer per request, not one per watcher.
            stream.assertQuiet();
        }
    }

    @Test
    void progressRequestComesAfterTheEventsAlreadyDue() {
        try (RawWatchStream stream = RawWatchStream.open(grpc)) {
            stream.createAndAwait(watchPrefix(prefix));
            long last = 0;
            for (int i = 0; i < 20; i++) {
                last = put("k" + i, "v");
            }

            stream.requestProgress();
            int events = 0;
            WatchResponse response = stream.next();
            while (response.getEventsCount() > 0) {
                events += response.getEventsCount();
                response = stream.next();
            }
            assertThat(events).as("events delivered before the progress response").isEqualTo(20);
            assertThat(response.getWatchId()).isEqualTo(-1);
            assertThat(response.getHeader().getRevision()).isEqualTo(last);
        }
    }

    @Test
    void progressNotifyWatchersGetPeriodicEmptyResponsesWithTheCurrentRevision() {
        try (RawWatchStream stream = RawWatchStream.open(grpc)) {
            long watchId = stream.createAndAwait(watchPrefix(prefix).setProgressNotify(true)).getWatchId();
            long revision = await(kv.put(bytes("/watch-elsewhere"), bytes("not watched but moves the revision")))
                    .getHeader().getRevision();

            WatchResponse notification = stream.next();
            assertThat(notification.getWatchId()).isEqualTo(watchId);
            assertThat(notification.getEventsCount()).isZero();
            assertThat(notification.getCreated()).isFalse();
            assertThat(notification.getCanceled()).isFalse();
            assertThat(notification.getCompactRevision()).isZero();
            assertThat(notification.getHeader().getRevision()).isEqualTo(revision);

            // They keep coming while nothing happens.
            WatchResponse again = stream.next();
            assertThat(again.getWatchId()).isEqualTo(watchId);
            assertThat(again.getEventsCount()).isZero();
        }
    }

    @Test
    void watchersWithoutProgressNotifyGetNoPeriodicResponses() {
        try (RawWatchStream stream = RawWatchStream.open(grpc)) {
            stream.createAndAwait(watchPrefix(prefix));
            stream.assertQuiet();
            stream.assertQuiet();
            stream.assertQuiet();
        }
    }

    @Test
    void keysDeletedByLeaseRevokeAreDeleteEventsWithPrevKvOfOneRevision() {
        long leaseId = await(SERVER.client().getLeaseClient().grant(60)).getID();
        PutOption withLease = PutOption.builder().withLeaseId(leaseId).build();
        long first = await(kv.put(key("a"), bytes("1"), withLease)).getHeader().getRevision();
        long second = await(kv.put(key("b"), bytes("2"), withLease)).getHeader().getRevision();

        try (RawWatchStream stream = RawWatchStream.open(grpc)) {
            stream.createAndAwait(watchPrefix(prefix).setPrevKv(true));
            long revoked = await(SERVER.client().getLeaseClient().revoke(leaseId)).getHeader().getRevision();

            List<Event> events = stream.events(2);
            assertThat(revoked).isEqualTo(second + 1);
            assertThat(events).allSatisfy(e -> {
                assertThat(e.getType()).isEqualTo(Event.EventType.DELETE);
                assertThat(e.getKv().getModRevision()).isEqualTo(revoked);
            });
            assertThat(events).extracting(e -> e.getKv().getKey().toStringUtf8())
                    .containsExactly(prefix + "a", prefix + "b");
            assertThat(events.get(0).getPrevKv()).isEqualTo(kv("a", "1", first, first, 1, leaseId));
            assertThat(events.get(1).getPrevKv()).isEqualTo(kv("b", "2", second, second, 1, leaseId));
        }
    }

    @Test
    void jetcdWatchClientDeliversEventsWithPrevKv() throws InterruptedException {
        BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
        Watch watchClient = SERVER.client().getWatchClient();
        WatchOption options = WatchOption.builder().isPrefix(true).withPrevKV(true).build();
        try (Watch.Watcher watcher = watchClient.watch(key(""), options,
                response -> events.addAll(response.getEvents()))) {
            // jetcd gives no created callback, so the first write is retried until it shows up.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            WatchEvent first = null;
            while (first == null && System.nanoTime() < deadline) {
                put("probe", "p");
                first = events.poll(200, TimeUnit.MILLISECONDS);
            }
            assertThat(first).as("an event from the jetcd watcher").isNotNull();
            events.clear();

            put("a", "1");
            put("a", "2");
            await(kv.delete(key("a"), DeleteOption.DEFAULT));

            WatchEvent create = events.poll(10, TimeUnit.SECONDS);
            WatchEvent update = events.poll(10, TimeUnit.SECONDS);
            WatchEvent delete = events.poll(10, TimeUnit.SECONDS);
            assertThat(create.getEventType()).isEqualTo(WatchEvent.EventType.PUT);
            assertThat(text(create.getKeyValue().getValue())).isEqualTo("1");
            assertThat(update.getEventType()).isEqualTo(WatchEvent.EventType.PUT);
            assertThat(text(update.getPrevKV().getValue())).isEqualTo("1");
            assertThat(delete.getEventType()).isEqualTo(WatchEvent.EventType.DELETE);
            assertThat(text(delete.getKeyValue().getKey())).isEqualTo(prefix + "a");
            assertThat(text(delete.getPrevKV().getValue())).isEqualTo("2");
        }
    }

    private long put(String name, String value) {
        return await(kv.put(key(name), bytes(value))).getHeader().getRevision();
    }

    private KeyValue kv(String name, String value, long createRevision, long modRevision, long version, long lease) {
        return KeyValue.newBuilder().setKey(raw(prefix + name)).setValue(raw(value)).setCreateRevision(createRevision)
                .setModRevision(modRevision).setVersion(version).setLease(lease).build();
    }

    private ByteSequence key(String name) {
        return bytes(prefix + name);
    }

    private long currentRevision() {
        return await(kv.get(bytes("/watch-revision-probe"))).getHeader().getRevision();
    }
}
