package io.strata.server.watch;

import static io.strata.server.watch.FakeStore.bs;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.stub.StreamObserver;
import io.strata.api.etcdserverpb.WatchCreateRequest;
import io.strata.api.etcdserverpb.WatchRequest;
import io.strata.api.etcdserverpb.WatchResponse;
import io.strata.api.mvccpb.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The hub with its own send and sync threads, as the server runs it. */
class WatchHubThreadsTest {
  private final FakeStore store = new FakeStore();
  private WatchHub hub;

  @AfterEach
  void tearDown() {
    if (hub != null) {
      hub.close();
    }
  }

  private static void await(BooleanSupplier condition, Duration deadline) throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within " + deadline);
      }
      Thread.sleep(2);
    }
  }

  private static StreamObserver<WatchRequest> watch(WatchHub hub, RecordingObserver out, WatchCreateRequest.Builder req) {
    StreamObserver<WatchRequest> in = hub.service().watch(out);
    in.onNext(WatchRequest.newBuilder().setCreateRequest(req).build());
    return in;
  }

  private static List<Long> revisions(List<WatchResponse> responses) {
    List<Long> out = new ArrayList<>();
    for (WatchResponse r : responses) {
      for (Event ev : r.getEventsList()) {
        out.add(ev.getKv().getModRevision());
      }
    }
    return out;
  }

  @Test
  void aClientThatStopsReadingNeverHoldsUpTheApplyThreadAndGetsEverythingLater() throws Exception {
    hub = new WatchHub(store, store, WatchOptions.defaults().withQueueBounds(4, 64 * 1024));
    store.listener = hub::onRevision;
    RecordingObserver slow = new RecordingObserver();
    RecordingObserver fast = new RecordingObserver();
    watch(hub, slow, WatchCreateRequest.newBuilder().setKey(bs("k")).setPrevKv(true));
    watch(hub, fast, WatchCreateRequest.newBuilder().setKey(bs("k")));
    await(() -> slow.sent().size() == 1 && fast.sent().size() == 1, Duration.ofSeconds(5));
    slow.block();

    int writes = 3_000;
    long start = System.nanoTime();
    for (int i = 0; i < writes; i++) {
      store.put("k", "v" + i);
    }
    long applyNanos = System.nanoTime() - start;
    // Generous on a loaded 2-core machine; a blocked apply thread would never finish at all.
    assertThat(applyNanos).isLessThan(Duration.ofSeconds(5).toNanos());
    await(() -> revisions(fast.sent()).size() == writes, Duration.ofSeconds(10));

    slow.unblock();
    await(() -> revisions(slow.sent()).size() >= writes, Duration.ofSeconds(10));
    List<Long> expected = new ArrayList<>();
    for (long rev = 2; rev < 2 + writes; rev++) {
      expected.add(rev);
    }
    assertThat(revisions(slow.sent())).containsExactlyElementsOf(expected);
    assertThat(revisions(fast.sent())).containsExactlyElementsOf(expected);
  }

  @Test
  void progressNotificationsArriveEveryPeriod() throws Exception {
    hub = new WatchHub(store, store, WatchOptions.defaults().withProgressNotifyInterval(Duration.ofMillis(100)));
    store.listener = hub::onRevision;
    store.put("x", "1");
    RecordingObserver out = new RecordingObserver();
    watch(hub, out, WatchCreateRequest.newBuilder().setKey(bs("k")).setProgressNotify(true));
    await(() -> out.sent().size() >= 3, Duration.ofSeconds(5));
    List<WatchResponse> rs = out.sent();
    assertThat(rs.get(0).getCreated()).isTrue();
    assertThat(rs.subList(1, rs.size())).allSatisfy(r -> {
      assertThat(r.getWatchId()).isZero();
      assertThat(r.getEventsCount()).isZero();
      assertThat(r.getHeader().getRevision()).isEqualTo(2);
    });
  }

  @Test
  void pastWatchersAreCaughtUpByTheBackgroundThread() throws Exception {
    hub = new WatchHub(store, store, WatchOptions.defaults().withMaxEventsPerCatchUp(7));
    store.listener = hub::onRevision;
    for (int i = 0; i < 100; i++) {
      store.put("k", "v" + i); // 2..101
    }
    RecordingObserver out = new RecordingObserver();
    watch(hub, out, WatchCreateRequest.newBuilder().setKey(bs("k")).setStartRevision(50));
    for (int i = 0; i < 50; i++) {
      store.put("k", "w" + i); // 102..151
    }
    await(() -> revisions(out.sent()).size() >= 102, Duration.ofSeconds(10));
    List<Long> expected = new ArrayList<>();
    for (long rev = 50; rev <= 151; rev++) {
      expected.add(rev);
    }
    assertThat(revisions(out.sent())).containsExactlyElementsOf(expected);
  }
}
