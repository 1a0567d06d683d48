package io.strata.server.member;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.strata.api.etcdserverpb.DeleteRangeRequest;
import io.strata.api.etcdserverpb.PutRequest;
import io.strata.api.etcdserverpb.RequestOp;
import io.strata.api.etcdserverpb.ResponseHeader;
import io.strata.api.etcdserverpb.TxnRequest;
import io.strata.api.etcdserverpb.WatchCreateRequest;
import io.strata.api.etcdserverpb.WatchRequest;
import io.strata.api.etcdserverpb.WatchResponse;
import io.strata.api.mvccpb.Event;
import io.strata.mvcc.MvccOptions;
import io.strata.mvcc.MvccStore;
import io.strata.server.watch.WatchHub;
import io.strata.server.watch.WatchOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The live feed as a member wires it (revision store, fan-out, watch hub, store history): the
 * store publishes updates without prev_kv, and a watcher that asked for it must still get on
 * every update and delete exactly the prev_kv history gives, while a watcher on the same stream
 * that did not ask gets none.
 */
class LiveWatchPrevKvTest {
  private static final long WAIT_SECONDS = 10;

  private final MvccStore store = MvccStore.open(new MvccOptions(1024, lease -> lease == 7));
  private final WatchHub hub = new WatchHub(new StoreEventHistory(() -> store),
      revision -> ResponseHeader.newBuilder().setRevision(revision).build(), WatchOptions.defaults());
  private final BlockingQueue<WatchResponse> received = new LinkedBlockingQueue<>();
  private final StreamObserver<WatchRequest> stream = hub.service().watch(new StreamObserver<>() {
    @Override
    public void onNext(WatchResponse value) {
      received.add(value);
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  });

  LiveWatchPrevKvTest() {
    RevisionFanOut fanOut = new RevisionFanOut();
    fanOut.add(hub::onRevision);
    store.setEventListener(fanOut);
  }

  @AfterEach
  void close() {
    hub.close();
    store.close();
  }

  private static ByteString bs(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static PutRequest put(String key, String value) {
    return PutRequest.newBuilder().setKey(bs(key)).setValue(bs(value)).build();
  }

  private static DeleteRangeRequest delete(String key, String end) {
    return DeleteRangeRequest.newBuilder().setKey(bs(key)).setRangeEnd(bs(end)).build();
  }

  private void watch(String key, String end, boolean prevKv) {
    stream.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
        .setKey(bs(key)).setRangeEnd(bs(end)).setPrevKv(prevKv)).build());
  }

  /** The events received per watch id, once {@code count} events have arrived in all. */
  private Map<Long, List<Event>> awaitEvents(int count) throws InterruptedException {
    Map<Long, List<Event>> byWatch = new HashMap<>();
    int seen = 0;
    while (seen < count) {
      WatchResponse r = received.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(r).as("response after %d of %d events", seen, count).isNotNull();
      byWatch.computeIfAbsent(r.getWatchId(), id -> new ArrayList<>()).addAll(r.getEventsList());
      seen += r.getEventsCount();
    }
    return byWatch;
  }

  private void awaitCreated(int watches) throws InterruptedException {
    for (int i = 0; i < watches; i++) {
      WatchResponse r = received.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(r).isNotNull();
      assertThat(r.getCreated()).isTrue();
    }
  }

  @Test
  void watcherWithPrevKvGetsItOnUpdatesAndDeletesAndOneWithoutGetsNone() throws Exception {
    store.put(put("k", "old")); // 2
    watch("k", "", true);
    watch("k", "", false);
    awaitCreated(2);

    store.put(put("k", "new")); // 3: an update
    store.deleteRange(delete("k", "")); // 4
    store.put(put("k", "again")); // 5: a create

    Map<Long, List<Event>> byWatch = awaitEvents(6);
    List<Event> withPrev = byWatch.get(0L);
    assertThat(withPrev).extracting(Event::getType)
        .containsExactly(Event.EventType.PUT, Event.EventType.DELETE, Event.EventType.PUT);
    assertThat(withPrev.get(0).getPrevKv().getValue()).isEqualTo(bs("old"));
    assertThat(withPrev.get(0).getPrevKv().getModRevision()).isEqualTo(2);
    assertThat(withPrev.get(1).getPrevKv().getValue()).isEqualTo(bs("new"));
    assertThat(withPrev.get(2).hasPrevKv()).isFalse();
    assertThat(byWatch.get(1L)).hasSize(3).noneMatch(Event::hasPrevKv);
  }

  @Test
  void liveEventsAreWhatHistoryGivesWithAndWithoutPrevKv() throws Exception {
    watch("r/", "r0", true);
    watch("r/", "r0", false);
    awaitCreated(2);
    long first = store.currentRevision() + 1;

    store.put(put("r/a", "1"));
    store.put(put("r/a", "2").toBuilder().setLease(7).build());
    store.txn(TxnRequest.newBuilder()
        .addSuccess(RequestOp.newBuilder().setRequestPut(put("r/a", "3")))
        .addSuccess(RequestOp.newBuilder().setRequestPut(put("r/b", "1")))
        .addSuccess(RequestOp.newBuilder().setRequestPut(put("other", "1")))
        .build());
    store.put(put("r/b", "2"));
    store.deleteRange(delete("r/", "r0"));
    store.put(put("r/b", "3"));
    store.put(PutRequest.newBuilder().setKey(bs("r/b")).setIgnoreValue(true).setPrevKv(true).build());
    int events = 9;

    Map<Long, List<Event>> byWatch = awaitEvents(2 * events);
    long last = store.currentRevision();
    assertThat(byWatch.get(0L)).isEqualTo(
        store.eventsSince(first, last, bs("r/"), bs("r0"), 100, true).events());
    assertThat(byWatch.get(1L)).isEqualTo(
        store.eventsSince(first, last, bs("r/"), bs("r0"), 100, false).events());
    assertThat(byWatch.get(0L)).filteredOn(Event::hasPrevKv).hasSize(6);
  }
}
