package io.strata.server.lock;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.strata.api.mvccpb.Event;
import io.strata.api.mvccpb.KeyValue;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyEventsTest {
  private final KeyEvents events = new KeyEvents(Runnable::run);

  @Test
  void keySubscriberSeesOnlyItsKey() {
    List<String> seen = record(s -> events.subscribeKey(bytes("lock/a"), s));

    events.onRevision(5, List.of(put("lock/a"), put("lock/ab"), put("lock/")));

    assertThat(seen).containsExactly("5:lock/a");
  }

  @Test
  void prefixSubscriberSeesEveryKeyUnderItsPrefixButNotSiblingsOfTheName() {
    List<String> seen = record(s -> events.subscribePrefix(bytes("db/"), s));

    events.onRevision(7, List.of(put("db/1"), put("db/inner/2"), put("dbx/3"), put("db")));

    assertThat(seen).containsExactly("7:db/1", "7:db/inner/2");
  }

  @Test
  void unsubscribedWaitersAreForgotten() {
    List<String> seen = new ArrayList<>();
    KeyEvents.Subscriber s = (rev, evs) -> seen.add("x");
    events.subscribeKey(bytes("k"), s);
    events.unsubscribeKey(bytes("k"), s);

    events.onRevision(3, List.of(put("k")));

    assertThat(seen).isEmpty();
    assertThat(events.subscriptionCount()).isZero();
  }

  private static List<String> record(java.util.function.Consumer<KeyEvents.Subscriber> subscribe) {
    List<String> seen = new ArrayList<>();
    subscribe.accept((rev, evs) -> evs.forEach(e -> seen.add(rev + ":" + e.getKv().getKey().toStringUtf8())));
    return seen;
  }

  private static Event put(String key) {
    return Event.newBuilder().setType(Event.EventType.PUT).setKv(KeyValue.newBuilder().setKey(bytes(key))).build();
  }

  private static ByteString bytes(String s) {
    return ByteString.copyFromUtf8(s);
  }
}
