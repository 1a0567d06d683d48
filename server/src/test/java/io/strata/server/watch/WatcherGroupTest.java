package io.strata.server.watch;

import static io.strata.server.watch.FakeStore.bs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.strata.api.mvccpb.Event;
import io.strata.api.mvccpb.KeyValue;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WatcherGroupTest {
  private static Watcher watcher(long id, String key, String end) {
    return watcher(id, KeyRange.of(bs(key), bs(end)), false, false);
  }

  private static Watcher watcher(long id, KeyRange range, boolean noPut, boolean noDelete) {
    return new Watcher(id, null, range, 0, noPut, noDelete, false, false, false);
  }

  private static Event put(String key, long rev) {
    return Event.newBuilder().setType(Event.EventType.PUT)
        .setKv(KeyValue.newBuilder().setKey(bs(key)).setModRevision(rev)).build();
  }

  private static Event delete(String key, long rev) {
    return Event.newBuilder().setType(Event.EventType.DELETE)
        .setKv(KeyValue.newBuilder().setKey(bs(key)).setModRevision(rev)).build();
  }

  @Test
  void emptyRangeEndIsASingleKey() {
    KeyRange r = KeyRange.of(bs("a"), ByteString.EMPTY);
    assertThat(r.contains(bs("a"))).isTrue();
    assertThat(r.contains(bs("ab"))).isFalse();
  }

  @Test
  void zeroRangeEndMeansEveryKeyFromTheKey() {
    KeyRange r = KeyRange.of(bs("b"), ByteString.copyFrom(new byte[] {0}));
    assertThat(r.contains(bs("a"))).isFalse();
    assertThat(r.contains(bs("b"))).isTrue();
    assertThat(r.contains(bs("zzz"))).isTrue();
  }

  @Test
  void emptyKeyWithZeroEndIsEveryKey() {
    KeyRange r = KeyRange.of(ByteString.EMPTY, ByteString.copyFrom(new byte[] {0}));
    assertThat(r.contains(bs("\0"))).isTrue();
    assertThat(r.contains(bs("anything"))).isTrue();
  }

  @Test
  void rangeIsHalfOpenAndComparesBytesUnsigned() {
    KeyRange r = KeyRange.of(bs("/registry/pods/"), bs("/registry/pods0"));
    assertThat(r.contains(bs("/registry/pods/a"))).isTrue();
    assertThat(r.contains(bs("/registry/pods0"))).isFalse();
    KeyRange high = KeyRange.of(bs("a"), ByteString.copyFrom(new byte[] {'a', (byte) 0xff}));
    assertThat(high.contains(ByteString.copyFrom(new byte[] {'a', (byte) 0x80}))).isTrue();
  }

  @Test
  void rangeWithEndNotAfterKeyIsEmpty() {
    assertThat(KeyRange.of(bs("b"), bs("a"))).isNull();
    assertThat(KeyRange.of(bs("b"), bs("b"))).isNull();
  }

  @Test
  void eventGoesToSingleKeyAndCoveringRangeWatchersOnly() {
    WatcherGroup g = new WatcherGroup();
    Watcher exact = watcher(1, "foo", "");
    Watcher other = watcher(2, "bar", "");
    Watcher prefix = watcher(3, "fo", "fp");
    Watcher fromKey = watcher(4, "g", "\0");
    Watcher before = watcher(5, "a", "c");
    List.of(exact, other, prefix, fromKey, before).forEach(g::add);

    assertThat(g.watchersOf(bs("foo"))).containsExactlyInAnyOrder(exact, prefix);
    assertThat(g.watchersOf(bs("h"))).containsExactly(fromKey);
    assertThat(g.watchersOf(bs("b"))).containsExactly(before);
    assertThat(g.watchersOf(bs("zzz"))).containsExactly(fromKey);
  }

  @Test
  void watchersOnTheSameRangeShareOneEntryAndLeaveCleanly() {
    WatcherGroup g = new WatcherGroup();
    Watcher a = watcher(1, "p/", "p0");
    Watcher b = watcher(2, "p/", "p0");
    g.add(a);
    g.add(b);
    assertThat(g.watchersOf(bs("p/x"))).containsExactlyInAnyOrder(a, b);
    assertThat(g.remove(a)).isTrue();
    assertThat(g.remove(a)).isFalse();
    assertThat(g.watchersOf(bs("p/x"))).containsExactly(b);
    g.remove(b);
    assertThat(g.isEmpty()).isTrue();
    assertThat(g.watchersOf(bs("p/x"))).isEmpty();
  }

  @Test
  void addingAWatcherTwiceIsABug() {
    WatcherGroup g = new WatcherGroup();
    Watcher a = watcher(1, "k", "");
    g.add(a);
    assertThatThrownBy(() -> g.add(a)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void matchAppliesFiltersAndFirstRevisionAndKeepsOrder() {
    WatcherGroup g = new WatcherGroup();
    KeyRange all = KeyRange.ALL;
    Watcher everything = watcher(1, all, false, false);
    Watcher noPut = watcher(2, all, true, false);
    Watcher noDelete = watcher(3, all, false, true);
    Watcher late = watcher(4, all, false, false);
    List.of(everything, noPut, noDelete, late).forEach(g::add);
    List<Event> events = List.of(put("a", 5), delete("b", 5), put("c", 6), delete("a", 7));

    Map<Watcher, List<Event>> m = g.match(events, w -> w == late ? 7 : 0);

    assertThat(m.get(everything)).containsExactlyElementsOf(events);
    assertThat(m.get(noPut)).containsExactly(delete("b", 5), delete("a", 7));
    assertThat(m.get(noDelete)).containsExactly(put("a", 5), put("c", 6));
    assertThat(m.get(late)).containsExactly(delete("a", 7));
  }

  @Test
  void watcherWithNothingToSeeIsAbsentFromMatch() {
    WatcherGroup g = new WatcherGroup();
    Watcher w = watcher(1, "x", "");
    g.add(w);
    assertThat(g.match(List.of(put("y", 2)), x -> 0)).isEmpty();
  }

  @Test
  void manySingleKeyWatchersAreFoundByLookupNotScan() {
    WatcherGroup g = new WatcherGroup();
    for (int i = 0; i < 50_000; i++) {
      g.add(watcher(i, "key-" + i, ""));
    }
    long start = System.nanoTime();
    for (int i = 0; i < 50_000; i++) {
      assertThat(g.watchersOf(bs("key-" + i))).hasSize(1);
    }
    // 50k lookups over 50k watchers: a scan would be 2.5e9 comparisons.
    assertThat(System.nanoTime() - start).isLessThan(2_000_000_000L);
  }
}
