package io.strata.server.watch;

import com.google.protobuf.ByteString;
import io.strata.api.etcdserverpb.ResponseHeader;
import io.strata.api.mvccpb.Event;
import io.strata.api.mvccpb.KeyValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/** An in-memory revision store with history, enough to drive a hub as mvcc would. */
final class FakeStore implements EventHistory, HeaderSource {
  private final TreeMap<Long, List<Event>> byRevision = new TreeMap<>();
  private final Map<ByteString, KeyValue> latest = new HashMap<>();
  /** Every value of every key by revision; null from a delete on. */
  private final Map<ByteString, TreeMap<Long, KeyValue>> values = new HashMap<>();
  private long current = 1;
  private long compacted;
  final AtomicInteger historyReads = new AtomicInteger();
  final AtomicInteger valueReads = new AtomicInteger();
  /** Receives each applied revision, as the apply thread would call the hub. */
  BiConsumer<Long, List<Event>> listener = (r, e) -> {};

  static ByteString bs(String s) {
    return ByteString.copyFromUtf8(s);
  }

  synchronized long put(String key, String value) {
    return apply(List.of(key), value, false);
  }

  synchronized long delete(String key) {
    return apply(List.of(key), null, true);
  }

  /** One revision writing (or deleting) several keys, like a txn or a lease revoke. */
  synchronized long apply(List<String> keys, String value, boolean delete) {
    long rev = current + 1;
    List<Event> events = new ArrayList<>();
    List<Event> live = new ArrayList<>();
    for (String k : keys) {
      ByteString key = bs(k);
      KeyValue prev = latest.get(key);
      Event.Builder ev = Event.newBuilder();
      if (prev != null) {
        ev.setPrevKv(prev);
      }
      if (delete) {
        if (prev == null) {
          continue;
        }
        latest.remove(key);
        values.computeIfAbsent(key, x -> new TreeMap<>()).put(rev, null);
        ev.setType(Event.EventType.DELETE).setKv(KeyValue.newBuilder().setKey(key).setModRevision(rev));
      } else {
        KeyValue kv = KeyValue.newBuilder()
            .setKey(key)
            .setValue(bs(value))
            .setCreateRevision(prev == null ? rev : prev.getCreateRevision())
            .setModRevision(rev)
            .setVersion(prev == null ? 1 : prev.getVersion() + 1)
            .build();
        latest.put(key, kv);
        values.computeIfAbsent(key, x -> new TreeMap<>()).put(rev, kv);
        ev.setType(Event.EventType.PUT).setKv(kv);
      }
      Event event = ev.build();
      events.add(event);
      // As the revision store does, live puts go out without the value they replaced.
      live.add(event.getType() == Event.EventType.PUT ? event.toBuilder().clearPrevKv().build() : event);
    }
    current = rev;
    byRevision.put(rev, List.copyOf(events));
    listener.accept(rev, live);
    return rev;
  }

  synchronized void compact(long rev) {
    compacted = rev;
    byRevision.headMap(rev, false).clear();
  }

  @Override
  public synchronized long currentRevision() {
    return current;
  }

  @Override
  public synchronized long compactedRevision() {
    return compacted;
  }

  @Override
  public synchronized List<Event> events(
      long fromRevision, long toRevision, ByteString key, ByteString rangeEnd, boolean withPrevKv, int maxEvents) {
    historyReads.incrementAndGet();
    if (fromRevision < compacted) {
      throw new HistoryCompactedException(compacted);
    }
    KeyRange range = KeyRange.of(key, rangeEnd);
    List<Event> out = new ArrayList<>();
    for (List<Event> revEvents : byRevision.subMap(fromRevision, true, toRevision, true).values()) {
      if (out.size() >= maxEvents) {
        break;
      }
      for (Event ev : revEvents) {
        if (range.contains(ev.getKv().getKey())) {
          out.add(withPrevKv ? ev : ev.toBuilder().clearPrevKv().build());
        }
      }
    }
    return out;
  }

  @Override
  public synchronized KeyValue valueAt(ByteString key, long revision) {
    valueReads.incrementAndGet();
    if (revision < compacted) {
      throw new HistoryCompactedException(compacted);
    }
    TreeMap<Long, KeyValue> history = values.get(key);
    if (history == null) {
      return null;
    }
    Map.Entry<Long, KeyValue> at = history.floorEntry(revision);
    return at == null ? null : at.getValue();
  }

  @Override
  public ResponseHeader header(long revision) {
    return ResponseHeader.newBuilder().setClusterId(7).setMemberId(9).setRaftTerm(2).setRevision(revision).build();
  }
}
