package io.strata.server.watch;

import static io.strata.server.watch.FakeStore.bs;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.strata.api.etcdserverpb.WatchCancelRequest;
import io.strata.api.etcdserverpb.WatchCreateRequest;
import io.strata.api.etcdserverpb.WatchProgressRequest;
import io.strata.api.etcdserverpb.WatchRequest;
import io.strata.api.etcdserverpb.WatchResponse;
import io.strata.api.mvccpb.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Whole streams driven through the gRPC service, with sends done on the calling thread and the
 * catch-up task run by hand, so every interleaving here is deterministic.
 */
class WatchStreamTest {
  private FakeStore store;
  private ManualExecutor sync;
  private WatchHub hub;

  @BeforeEach
  void setUp() {
    start(WatchOptions.defaults().withProgressNotifyInterval(Duration.ofMillis(100)));
  }

  private void start(WatchOptions options) {
    store = new FakeStore();
    sync = new ManualExecutor();
    hub = new WatchHub(store, store, options, Runnable::run, sync);
    store.listener = hub::onRevision;
  }

  private final class Client {
    final RecordingObserver out = new RecordingObserver();
    final StreamObserver<WatchRequest> in = hub.service().watch(out);

    void create(String key, String end, long start, UnaryOperator<WatchCreateRequest.Builder> more) {
      WatchCreateRequest.Builder b = WatchCreateRequest.newBuilder()
          .setKey(bs(key)).setRangeEnd(bs(end)).setStartRevision(start);
      in.onNext(WatchRequest.newBuilder().setCreateRequest(more.apply(b)).build());
    }

    void create(String key, long start) {
      create(key, "", start, b -> b);
    }

    void cancel(long id) {
      in.onNext(WatchRequest.newBuilder().setCancelRequest(WatchCancelRequest.newBuilder().setWatchId(id)).build());
    }

    void requestProgress() {
      in.onNext(WatchRequest.newBuilder().setProgressRequest(WatchProgressRequest.getDefaultInstance()).build());
    }

    List<WatchResponse> take() {
      return out.takeAll();
    }

    int queueSize() {
      return ((WatchStream) in).queue.size();
    }
  }

  /** "key@rev" for each event, in the order received. */
  private static List<String> events(List<WatchResponse> responses) {
    List<String> out = new ArrayList<>();
    for (WatchResponse r : responses) {
      for (Event ev : r.getEventsList()) {
        out.add(ev.getKv().getKey().toStringUtf8() + "@" + ev.getKv().getModRevision()
            + (ev.getType() == Event.EventType.DELETE ? "-" : ""));
      }
    }
    return out;
  }

  @Test
  void createdResponsesNumberWatchersFromZeroAtTheCurrentRevision() {
    store.put("a", "1");
    Client c = new Client();
    c.create("a", 0);
    c.create("b", 0);

    List<WatchResponse> rs = c.take();
    assertThat(rs).extracting(WatchResponse::getWatchId).containsExactly(0L, 1L);
    assertThat(rs).allSatisfy(r -> {
      assertThat(r.getCreated()).isTrue();
      assertThat(r.getCanceled()).isFalse();
      assertThat(r.getHeader().getRevision()).isEqualTo(2);
      assertThat(r.getHeader().getClusterId()).isEqualTo(7);
    });
  }

  @Test
  void idsAreCountedPerStream() {
    Client one = new Client();
    Client two = new Client();
    one.create("a", 0);
    one.create("a", 0);
    two.create("a", 0);
    assertThat(one.take()).extracting(WatchResponse::getWatchId).containsExactly(0L, 1L);
    assertThat(two.take()).extracting(WatchResponse::getWatchId).containsExactly(0L);
  }

  @Test
  void clientChosenIdIsKeptAndAutomaticIdsSkipIt() {
    Client c = new Client();
    c.create("a", "", 0, b -> b.setWatchId(1));
    c.create("a", 0);
    c.create("a", 0);
    assertThat(c.take()).extracting(WatchResponse::getWatchId).containsExactly(1L, 0L, 2L);
  }

  @Test
  void duplicateIdIsRefusedAsEtcdDoes() {
    Client c = new Client();
    c.create("a", "", 0, b -> b.setWatchId(5));
    c.create("b", "", 0, b -> b.setWatchId(5));
    WatchResponse refused = c.take().get(1);
    assertThat(refused.getWatchId()).isEqualTo(-1);
    assertThat(refused.getCreated()).isTrue();
    assertThat(refused.getCanceled()).isTrue();
    assertThat(refused.getCancelReason()).isEqualTo("mvcc: duplicate watch ID provided on the WatchStream");
  }

  @Test
  void emptyRangeAndNegativeStartAreRefused() {
    Client c = new Client();
    c.create("b", "a", 0, b -> b);
    c.create("a", -1);
    List<WatchResponse> rs = c.take();
    assertThat(rs).extracting(WatchResponse::getCancelReason).containsExactly(
        "mvcc: watcher range is empty", "etcdserver: mvcc: required revision has been compacted");
    assertThat(rs).allSatisfy(r -> {
      assertThat(r.getWatchId()).isEqualTo(-1);
      assertThat(r.getCreated()).isTrue();
      assertThat(r.getCanceled()).isTrue();
    });
    store.put("a", "1");
    assertThat(c.take()).isEmpty();
  }

  @Test
  void liveEventsArriveOneResponsePerRevisionWithThatRevisionInTheHeader() {
    Client c = new Client();
    c.create("k", 0);
    c.take();
    store.put("k", "1");
    store.put("other", "x");
    store.put("k", "2");
    store.delete("k");

    List<WatchResponse> rs = c.take();
    assertThat(events(rs)).containsExactly("k@2", "k@4", "k@5-");
    assertThat(rs).extracting(r -> r.getHeader().getRevision()).containsExactly(2L, 4L, 5L);
    assertThat(rs).extracting(WatchResponse::getWatchId).containsOnly(0L);
  }

  @Test
  void allEventsOfOneRevisionTravelTogether() {
    Client c = new Client();
    c.create("p/", "p0", 0, b -> b);
    c.take();
    store.apply(List.of("p/a", "p/b", "p/c"), "v", false);
    List<WatchResponse> rs = c.take();
    assertThat(rs).hasSize(1);
    assertThat(events(rs)).containsExactly("p/a@2", "p/b@2", "p/c@2");
  }

  @Test
  void prefixAndFromKeyRangesSeeOnlyTheirKeys() {
    Client c = new Client();
    c.create("p/", "p0", 0, b -> b);
    c.create("m", "\0", 0, b -> b);
    c.take();
    store.put("p/x", "1");
    store.put("a", "1");
    store.put("z", "1");
    List<WatchResponse> rs = c.take();
    assertThat(rs).extracting(r -> r.getWatchId() + ":" + events(List.of(r)))
        .containsExactlyInAnyOrder("0:[p/x@2]", "1:[p/x@2]", "1:[z@4]");
  }

  @Test
  void cancelEndsTheWatcherAndUnknownIdsGetNoAnswer() {
    Client c = new Client();
    c.create("k", 0);
    c.take();
    c.cancel(0);
    c.cancel(42);
    List<WatchResponse> rs = c.take();
    assertThat(rs).hasSize(1);
    assertThat(rs.get(0).getWatchId()).isZero();
    assertThat(rs.get(0).getCanceled()).isTrue();
    assertThat(rs.get(0).getCreated()).isFalse();
    store.put("k", "1");
    assertThat(c.take()).isEmpty();
    assertThat(hub.syncedCount()).isZero();
  }

  @Test
  void filtersDropPutsOrDeletes() {
    Client c = new Client();
    c.create("k", "", 0, b -> b.addFilters(WatchCreateRequest.FilterType.NOPUT));
    c.create("k", "", 0, b -> b.addFilters(WatchCreateRequest.FilterType.NODELETE));
    c.take();
    store.put("k", "1");
    store.delete("k");
    List<WatchResponse> rs = c.take();
    assertThat(rs).extracting(r -> r.getWatchId() + ":" + events(List.of(r)))
        .containsExactly("1:[k@2]", "0:[k@3-]");
  }

  @Test
  void prevKvIsSentOnlyToWatchersThatAskForIt() {
    store.put("k", "old");
    Client c = new Client();
    c.create("k", "", 0, b -> b.setPrevKv(true));
    c.create("k", 0);
    c.take();
    store.put("k", "new");
    store.delete("k");
    List<WatchResponse> rs = c.take();
    assertThat(rs).hasSize(4);
    for (WatchResponse r : rs) {
      Event ev = r.getEvents(0);
      if (r.getWatchId() == 0) {
        assertThat(ev.hasPrevKv()).isTrue();
        assertThat(ev.getPrevKv().getValue()).isEqualTo(bs(ev.getType() == Event.EventType.PUT ? "old" : "new"));
      } else {
        assertThat(ev.hasPrevKv()).isFalse();
      }
    }
  }

  @Test
  void prevKvOfALiveUpdateIsReadOnceHoweverManyWatchersGetIt() {
    store.put("k", "old");
    Client one = new Client();
    Client two = new Client();
    one.create("k", "", 0, b -> b.setPrevKv(true));
    one.create("\0", "\0", 0, b -> b.setPrevKv(true));
    two.create("k", "", 0, b -> b.setPrevKv(true));
    two.create("k", 0);
    one.take();
    two.take();

    store.put("k", "new");

    assertThat(store.valueReads.get()).isEqualTo(1);
    List<WatchResponse> rs = new ArrayList<>(one.take());
    rs.addAll(two.take());
    assertThat(rs).hasSize(4);
    assertThat(rs).filteredOn(r -> r.getEvents(0).hasPrevKv()).hasSize(3)
        .allSatisfy(r -> assertThat(r.getEvents(0).getPrevKv().getValue()).isEqualTo(bs("old")));
  }

  @Test
  void prevKvIsNotReadForCreatesDeletesOrWatchersThatDidNotAskForIt() {
    Client c = new Client();
    c.create("k", "", 0, b -> b.setPrevKv(true));
    c.create("j", 0);
    c.take();

    store.put("k", "1");
    store.delete("k");
    store.put("j", "1");
    store.put("j", "2");

    assertThat(store.valueReads.get()).isZero();
    List<WatchResponse> rs = c.take();
    assertThat(events(rs)).containsExactly("k@2", "k@3-", "j@4", "j@5");
    assertThat(rs.get(0).getEvents(0).hasPrevKv()).isFalse();
    assertThat(rs.get(1).getEvents(0).getPrevKv().getValue()).isEqualTo(bs("1"));
    assertThat(rs.get(3).getEvents(0).hasPrevKv()).isFalse();
  }

  @Test
  void liveUpdateWhosePreviousRevisionIsCompactedBeforeItIsSentGoesWithoutPrevKv() {
    store.put("k", "1"); // 2
    Client c = new Client();
    c.create("k", "", 0, b -> b.setPrevKv(true));
    c.take();
    c.out.block();
    store.put("k", "2"); // 3
    store.delete("k"); // 4
    store.compact(4);

    c.out.unblock();

    // etcd reads the previous value only when it sends the event, and sends it without one
    // once that is compacted; a delete carries its deleted value from the store.
    List<WatchResponse> rs = c.take();
    assertThat(events(rs)).containsExactly("k@3", "k@4-");
    assertThat(rs.get(0).getEvents(0).hasPrevKv()).isFalse();
    assertThat(rs.get(1).getEvents(0).getPrevKv().getValue()).isEqualTo(bs("2"));
  }

  @Test
  void pastStartRevisionReplaysHistoryThenContinuesLive() {
    store.put("k", "1"); // 2
    store.put("k", "2"); // 3
    store.put("x", "2"); // 4
    store.delete("k"); // 5
    Client c = new Client();
    c.create("k", "", 3, b -> b.setPrevKv(true));
    assertThat(c.take()).singleElement().satisfies(r -> assertThat(r.getCreated()).isTrue());
    assertThat(hub.unsyncedCount()).isEqualTo(1);

    sync.runAll();
    List<WatchResponse> replay = c.take();
    assertThat(events(replay)).containsExactly("k@3", "k@5-");
    assertThat(replay.get(0).getEvents(1).getPrevKv().getValue()).isEqualTo(bs("2"));
    assertThat(hub.unsyncedCount()).isZero();

    store.put("k", "3");
    assertThat(events(c.take())).containsExactly("k@6");
  }

  @Test
  void revisionsAppliedDuringCatchUpAreDeliveredExactlyOnce() {
    store.put("k", "1");
    store.put("k", "2");
    Client c = new Client();
    c.create("k", 2);
    // Revisions keep coming before the catch-up task gets to run.
    store.put("k", "3");
    store.put("k", "4");
    sync.runAll();
    store.put("k", "5");
    assertThat(events(c.take())).containsExactly("k@2", "k@3", "k@4", "k@5", "k@6");
  }

  @Test
  void catchUpReadsBoundedBatchesWithoutSplittingARevision() {
    start(WatchOptions.defaults().withMaxEventsPerCatchUp(3));
    for (int i = 0; i < 5; i++) {
      store.apply(List.of("p/a", "p/b"), "v" + i, false); // revisions 2..6, two events each
    }
    Client c = new Client();
    c.create("p/", "p0", 1, b -> b);
    c.take();
    sync.runAll();
    List<WatchResponse> rs = c.take();
    assertThat(rs).hasSizeGreaterThan(1);
    for (WatchResponse r : rs) {
      // Each response ends with a complete revision: an even number of events here.
      assertThat(r.getEventsCount() % 2).isZero();
    }
    assertThat(events(rs)).containsExactly(
        "p/a@2", "p/b@2", "p/a@3", "p/b@3", "p/a@4", "p/b@4", "p/a@5", "p/b@5", "p/a@6", "p/b@6");
  }

  @Test
  void manyWatchersFromThePastShareHistoryReads() {
    for (int i = 0; i < 10; i++) {
      store.put("k" + i, "v");
    }
    Client c = new Client();
    for (int i = 0; i < 10; i++) {
      c.create("k" + i, 2);
    }
    c.take();
    sync.runAll();
    assertThat(events(c.take())).hasSize(10);
    assertThat(store.historyReads.get()).isLessThanOrEqualTo(2);
  }

  @Test
  void startBelowCompactionIsCanceledWithTheCompactRevisionAfterCreated() {
    for (int i = 0; i < 5; i++) {
      store.put("k", "v" + i);
    }
    store.compact(4);
    hub.onCompacted(4);
    Client c = new Client();
    c.create("k", 2);
    sync.runAll();
    List<WatchResponse> rs = c.take();
    assertThat(rs).hasSize(2);
    assertThat(rs.get(0).getCreated()).isTrue();
    WatchResponse canceled = rs.get(1);
    assertThat(canceled.getWatchId()).isZero();
    assertThat(canceled.getCanceled()).isTrue();
    assertThat(canceled.getCompactRevision()).isEqualTo(4);
    assertThat(canceled.getCancelReason()).isEmpty();
    assertThat(canceled.getEventsCount()).isZero();

    store.put("k", "later");
    assertThat(c.take()).isEmpty();
    // The id stays taken until the client cancels it, as in etcd.
    c.cancel(0);
    assertThat(c.take()).singleElement().satisfies(r -> assertThat(r.getCanceled()).isTrue());
  }

  @Test
  void startAtTheCompactRevisionStillReplays() {
    for (int i = 0; i < 5; i++) {
      store.put("k", "v" + i);
    }
    store.compact(4);
    hub.onCompacted(4);
    Client c = new Client();
    c.create("k", 4);
    sync.runAll();
    assertThat(events(c.take())).containsExactly("k@4", "k@5", "k@6");
  }

  @Test
  void futureStartRevisionWaitsUntilReached() {
    Client c = new Client();
    c.create("k", "", 4, b -> b.setProgressNotify(true));
    c.take();
    store.put("k", "1"); // 2
    hub.tickProgress();
    store.put("k", "2"); // 3
    assertThat(c.take()).isEmpty();
    store.put("k", "3"); // 4
    assertThat(events(c.take())).containsExactly("k@4");
  }

  @Test
  void progressRequestIsAnsweredWithInvalidIdAtTheCurrentRevision() {
    Client c = new Client();
    c.create("k", 0);
    store.put("x", "1");
    c.take();
    c.requestProgress();
    WatchResponse r = c.take().get(0);
    assertThat(r.getWatchId()).isEqualTo(-1);
    assertThat(r.getHeader().getRevision()).isEqualTo(2);
    assertThat(r.getEventsCount()).isZero();
    assertThat(r.getCreated()).isFalse();
    assertThat(r.getCanceled()).isFalse();
  }

  @Test
  void progressRequestWaitsUntilEveryWatcherHasItsEvents() {
    for (int i = 0; i < 3; i++) {
      store.put("k", "v" + i); // 2..4
    }
    Client c = new Client();
    c.create("x", 0);
    c.create("k", 2);
    c.take();
    c.requestProgress();
    c.requestProgress();
    assertThat(c.take()).isEmpty();

    sync.runAll();
    List<WatchResponse> rs = c.take();
    assertThat(events(rs)).containsExactly("k@2", "k@3", "k@4");
    WatchResponse last = rs.get(rs.size() - 1);
    assertThat(last.getWatchId()).isEqualTo(-1);
    assertThat(last.getHeader().getRevision()).isEqualTo(4);
    // Several requests while behind get a single answer.
    assertThat(rs).filteredOn(r -> r.getWatchId() == -1).hasSize(1);
  }

  @Test
  void progressRequestNeverOvertakesQueuedEvents() {
    Client c = new Client();
    c.create("k", 0);
    c.take();
    c.out.block();
    store.put("k", "1");
    store.put("k", "2");
    c.requestProgress();
    c.out.unblock();
    sync.runAll();
    List<WatchResponse> rs = c.take();
    assertThat(rs).extracting(r -> r.getWatchId() == -1 ? "progress@" + r.getHeader().getRevision() : events(List.of(r)).toString())
        .containsExactly("[k@2]", "[k@3]", "progress@3");
  }

  @Test
  void progressRequestOnAStreamWithoutWatchersIsNotAnswered() {
    Client c = new Client();
    c.requestProgress();
    store.put("k", "1");
    assertThat(c.take()).isEmpty();
  }

  @Test
  void progressNotifyGoesToIdleSyncedWatchersEachPeriod() {
    Client c = new Client();
    c.create("k", "", 0, b -> b.setProgressNotify(true));
    c.create("q", 0);
    c.take();
    store.put("x", "1");
    hub.tickProgress();
    List<WatchResponse> rs = c.take();
    assertThat(rs).singleElement().satisfies(r -> {
      assertThat(r.getWatchId()).isZero();
      assertThat(r.getHeader().getRevision()).isEqualTo(2);
      assertThat(r.getEventsCount()).isZero();
      assertThat(r.getCreated()).isFalse();
      assertThat(r.getCanceled()).isFalse();
      assertThat(r.getCompactRevision()).isZero();
    });

    // A period in which the watcher got events skips the next notification, as in etcd.
    store.put("k", "1");
    c.take();
    hub.tickProgress();
    assertThat(c.take()).isEmpty();
    hub.tickProgress();
    assertThat(c.take()).singleElement().satisfies(r -> assertThat(r.getHeader().getRevision()).isEqualTo(3));
  }

  @Test
  void progressNotifySkipsWatchersStillCatchingUp() {
    store.put("k", "1");
    Client c = new Client();
    c.create("k", "", 2, b -> b.setProgressNotify(true));
    c.take();
    hub.tickProgress();
    assertThat(c.take()).isEmpty();
  }

  @Test
  void slowConsumerIsSetAsideWithoutHoldingUpOthersAndCaughtUpLater() {
    start(WatchOptions.defaults().withQueueBounds(2, 1 << 20));
    Client slow = new Client();
    Client fast = new Client();
    slow.create("k", "", 0, b -> b.setPrevKv(true));
    fast.create("k", 0);
    slow.take();
    fast.take();

    slow.out.block();
    for (int i = 0; i < 20; i++) {
      store.put("k", "v" + i); // 2..21
    }
    assertThat(events(fast.take())).hasSize(20);
    assertThat(slow.take()).isEmpty();
    assertThat(hub.unsyncedCount()).isEqualTo(1);
    assertThat(slow.queueSize()).isLessThanOrEqualTo(2);

    slow.out.unblock();
    sync.runAll();
    List<WatchResponse> rs = slow.take();
    List<String> expected = new ArrayList<>();
    for (long rev = 2; rev <= 21; rev++) {
      expected.add("k@" + rev);
    }
    assertThat(events(rs)).containsExactlyElementsOf(expected);
    assertThat(rs.get(rs.size() - 1).getEvents(0).hasPrevKv()).isTrue();
    assertThat(hub.unsyncedCount()).isZero();

    store.put("k", "live");
    assertThat(events(slow.take())).containsExactly("k@22");
  }

  @Test
  void slowConsumerWhoseHistoryIsCompactedMeanwhileIsCanceled() {
    start(WatchOptions.defaults().withQueueBounds(1, 1 << 20));
    Client slow = new Client();
    slow.create("k", 0);
    slow.take();
    slow.out.block();
    for (int i = 0; i < 10; i++) {
      store.put("k", "v" + i); // 2..11
    }
    store.compact(8);
    hub.onCompacted(8);
    slow.out.unblock();
    sync.runAll();
    List<WatchResponse> rs = slow.take();
    WatchResponse last = rs.get(rs.size() - 1);
    assertThat(last.getCanceled()).isTrue();
    assertThat(last.getCompactRevision()).isEqualTo(8);
    assertThat(events(rs)).doesNotContain("k@8", "k@9");
  }

  @Test
  void fragmentSplitsLargeResponsesOnlyForWatchersThatAskForIt() {
    start(WatchOptions.defaults().withFragmentThresholdBytes(300));
    Client c = new Client();
    c.create("p/", "p0", 0, b -> b.setFragment(true));
    c.create("p/", "p0", 0, b -> b);
    c.take();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      keys.add("p/" + i);
    }
    store.apply(keys, "x".repeat(50), false);
    List<WatchResponse> rs = c.take();
    List<WatchResponse> fragmented = rs.stream().filter(r -> r.getWatchId() == 0).toList();
    List<WatchResponse> whole = rs.stream().filter(r -> r.getWatchId() == 1).toList();
    assertThat(whole).singleElement().satisfies(r -> assertThat(r.getEventsCount()).isEqualTo(10));
    assertThat(fragmented).hasSizeGreaterThan(1);
    assertThat(fragmented.subList(0, fragmented.size() - 1)).allSatisfy(r -> assertThat(r.getFragment()).isTrue());
    assertThat(fragmented.get(fragmented.size() - 1).getFragment()).isFalse();
    assertThat(events(fragmented)).hasSize(10);
  }

  @Test
  void skippedRevisionsAreReadFromHistory() {
    Client c = new Client();
    c.create("k", 0);
    c.take();
    store.listener = (rev, evs) -> {};
    store.put("k", "1"); // 2, not handed to the hub
    store.listener = hub::onRevision;
    store.put("k", "2"); // 3
    sync.runAll();
    assertThat(events(c.take())).containsExactly("k@2", "k@3");
  }

  @Test
  void afterARestoreWatchersReadWhatTheyMissedFromTheNewStore() {
    Client c = new Client();
    c.create("k", 0);
    c.create("z", "", 10, b -> b);
    c.take();
    store.listener = (rev, evs) -> {};
    store.put("k", "1"); // 2
    store.put("k", "2"); // 3
    hub.onRestored(3);
    store.listener = hub::onRevision;
    sync.runAll();
    assertThat(events(c.take())).containsExactly("k@2", "k@3");
    assertThat(hub.unsyncedCount()).isZero();
    store.put("k", "3");
    assertThat(events(c.take())).containsExactly("k@4");
  }

  @Test
  void closingTheStreamRemovesItsWatchers() {
    Client c = new Client();
    c.create("k", 0);
    store.put("a", "1");
    c.create("k", 1);
    c.in.onError(new RuntimeException("gone"));
    assertThat(hub.syncedCount()).isZero();
    assertThat(hub.unsyncedCount()).isZero();
    store.put("k", "1");
    sync.runAll();
    c.take();
    assertThat(c.take()).isEmpty();
  }

  @Test
  void aFailedSendClosesTheStream() {
    Client c = new Client();
    c.create("k", 0);
    c.create("j", 0);
    c.out.failSends = true;
    store.put("k", "1");
    store.put("j", "1");
    sync.runAll();
    assertThat(hub.syncedCount()).isZero();
    store.put("k", "2");
    assertThat(hub.unsyncedCount()).isZero();
  }

  @Test
  void cancellationAfterHalfCloseAlsoRemovesWatchers() {
    Client c = new Client();
    c.create("k", 0);
    c.in.onCompleted();
    store.put("k", "1");
    assertThat(events(c.take())).containsExactly("k@2");
    c.out.onCancel.run();
    assertThat(hub.syncedCount()).isZero();
  }

  @Test
  void requestsAreReadOneAtATimeAndPausedWhileControlResponsesPileUp() {
    Client c = new Client();
    assertThat(c.out.autoInbound).isFalse();
    assertThat(c.out.requested).isEqualTo(1);
    c.create("k", 0);
    assertThat(c.out.requested).isEqualTo(2);

    c.out.block();
    for (int i = 0; i < SendQueue.MAX_QUEUED_CONTROL_RESPONSES + 5; i++) {
      c.create("k", 0);
    }
    int whilePaused = c.out.requested;
    assertThat(whilePaused).isLessThan(2 + SendQueue.MAX_QUEUED_CONTROL_RESPONSES + 5);
    c.out.unblock();
    assertThat(c.out.requested).isEqualTo(whilePaused + 1);
  }
}
