package io.strata.server.lock;

import com.google.protobuf.ByteString;
import io.strata.api.mvccpb.Event;
import io.strata.mvcc.RevisionListener;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Routes each applied revision's events to the waiters interested in them: a lock or campaign
 * waiter follows one key (the one queued just before it), an election observer follows every
 * key under its election's prefix. Both are found by map lookups, one per event key and one per
 * '/' in it, so the cost of a revision does not grow with the number of waiters elsewhere.
 *
 * <p>{@link #onRevision} runs on the apply thread and only matches; subscribers are called on
 * the service's executor, in revision order, since the executor runs one task at a time in the
 * order they were handed to it.
 */
final class KeyEvents implements RevisionListener {
  /** Told of the events of one revision that touch what it subscribed to, in the revision's order. */
  interface Subscriber {
    void onEvents(long revision, List<Event> events);
  }

  private final Executor executor;
  private final Map<ByteString, Set<Subscriber>> byKey = new ConcurrentHashMap<>();
  private final Map<ByteString, Set<Subscriber>> byPrefix = new ConcurrentHashMap<>();

  KeyEvents(Executor executor) {
    this.executor = executor;
  }

  void subscribeKey(ByteString key, Subscriber subscriber) {
    add(byKey, key, subscriber);
  }

  void unsubscribeKey(ByteString key, Subscriber subscriber) {
    remove(byKey, key, subscriber);
  }

  /** {@code prefix} must end with '/', the only places where event keys are cut to look it up. */
  void subscribePrefix(ByteString prefix, Subscriber subscriber) {
    if (prefix.isEmpty() || prefix.byteAt(prefix.size() - 1) != '/') {
      throw new IllegalArgumentException("an election prefix ends with '/': " + prefix.toStringUtf8());
    }
    add(byPrefix, prefix, subscriber);
  }

  void unsubscribePrefix(ByteString prefix, Subscriber subscriber) {
    remove(byPrefix, prefix, subscriber);
  }

  int subscriptionCount() {
    int n = 0;
    for (Set<Subscriber> s : byKey.values()) {
      n += s.size();
    }
    for (Set<Subscriber> s : byPrefix.values()) {
      n += s.size();
    }
    return n;
  }

  @Override
  public void onRevision(long revision, List<Event> events) {
    if (byKey.isEmpty() && byPrefix.isEmpty()) {
      return;
    }
    Map<Subscriber, List<Event>> matched = null;
    for (Event event : events) {
      ByteString key = event.getKv().getKey();
      matched = collect(matched, byKey.get(key), event);
      if (!byPrefix.isEmpty()) {
        for (int i = 0; i < key.size(); i++) {
          if (key.byteAt(i) == '/') {
            matched = collect(matched, byPrefix.get(key.substring(0, i + 1)), event);
          }
        }
      }
    }
    if (matched != null) {
      Map<Subscriber, List<Event>> deliveries = matched;
      try {
        executor.execute(() -> deliveries.forEach((s, matching) -> s.onEvents(revision, matching)));
      } catch (RejectedExecutionException e) {
        // The service is closing; its waiters are being dropped with it.
      }
    }
  }

  private static Map<Subscriber, List<Event>> collect(
      Map<Subscriber, List<Event>> matched, Set<Subscriber> subscribers, Event event) {
    if (subscribers == null) {
      return matched;
    }
    for (Subscriber s : subscribers) {
      if (matched == null) {
        matched = new IdentityHashMap<>();
      }
      matched.computeIfAbsent(s, k -> new ArrayList<>(1)).add(event);
    }
    return matched;
  }

  private static void add(Map<ByteString, Set<Subscriber>> index, ByteString key, Subscriber subscriber) {
    index.compute(key, (k, set) -> {
      Set<Subscriber> s = set != null ? set : ConcurrentHashMap.newKeySet();
      s.add(subscriber);
      return s;
    });
  }

  private static void remove(Map<ByteString, Set<Subscriber>> index, ByteString key, Subscriber subscriber) {
    index.computeIfPresent(key, (k, set) -> {
      set.remove(subscriber);
      return set.isEmpty() ? null : set;
    });
  }
}
