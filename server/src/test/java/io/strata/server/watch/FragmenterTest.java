package io.strata.server.watch;

import static io.strata.server.watch.FakeStore.bs;
import static org.assertj.core.api.Assertions.assertThat;

import io.strata.api.etcdserverpb.WatchResponse;
import io.strata.api.mvccpb.Event;
import io.strata.api.mvccpb.KeyValue;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FragmenterTest {
  private static WatchResponse withEvents(int count, int valueBytes) {
    WatchResponse.Builder b = WatchResponse.newBuilder().setWatchId(3);
    for (int i = 0; i < count; i++) {
      b.addEvents(Event.newBuilder().setKv(KeyValue.newBuilder()
          .setKey(bs("k" + i)).setValue(bs("v".repeat(valueBytes))).setModRevision(10 + i)));
    }
    return b.build();
  }

  @Test
  void smallResponseIsNotSplit() {
    WatchResponse r = withEvents(3, 10);
    assertThat(Fragmenter.split(r, 10_000)).containsExactly(r);
  }

  @Test
  void singleEventIsNeverSplitEvenWhenTooLarge() {
    WatchResponse r = withEvents(1, 5_000);
    assertThat(Fragmenter.split(r, 100)).containsExactly(r);
  }

  @Test
  void largeResponseIsSplitWithFragmentOnAllButTheLastPart() {
    WatchResponse r = withEvents(10, 100);
    List<WatchResponse> parts = Fragmenter.split(r, 350);

    assertThat(parts).hasSizeGreaterThan(1);
    List<Event> joined = new ArrayList<>();
    for (int i = 0; i < parts.size(); i++) {
      WatchResponse p = parts.get(i);
      assertThat(p.getFragment()).isEqualTo(i < parts.size() - 1);
      assertThat(p.getWatchId()).isEqualTo(3);
      assertThat(p.getEventsCount()).isGreaterThan(0);
      if (p.getEventsCount() > 1) {
        assertThat(p.getSerializedSize()).isLessThan(350);
      }
      joined.addAll(p.getEventsList());
    }
    assertThat(joined).containsExactlyElementsOf(r.getEventsList());
  }

  @Test
  void eventLargerThanTheLimitTravelsAloneInItsPart() {
    WatchResponse.Builder b = withEvents(2, 10).toBuilder();
    b.addEvents(1, Event.newBuilder().setKv(KeyValue.newBuilder().setKey(bs("big")).setValue(bs("x".repeat(1000)))));
    List<WatchResponse> parts = Fragmenter.split(b.build(), 500);
    assertThat(parts).extracting(WatchResponse::getEventsCount).containsExactly(1, 1, 1);
    assertThat(parts).extracting(WatchResponse::getFragment).containsExactly(true, true, false);
  }
}
