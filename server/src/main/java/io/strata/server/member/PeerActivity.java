package io.strata.server.member;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import java.util.function.Supplier;

/**
 * Since when each peer has been continuously reachable, sampled from the transport. etcd's
 * strict reconfiguration checks ask whether peers have been connected for a while (its
 * {@code HealthInterval}, 5 s), not only at this instant, so that a member that just came back
 * does not count toward a quorum yet.
 */
final class PeerActivity implements AutoCloseable {
  static final long sampleIntervalMillis = 100;
  /** etcd's HealthInterval. */
  static final long healthIntervalMillis = 5_000;

  private final LongPredicate isActive;
  private final Supplier<List<Long>> peerIds;
  // Peer id -> System.nanoTime() when it was first seen active in its current connected spell.
  private final Map<Long, Long> activeSinceNanos = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean running = true;

  PeerActivity(LongPredicate isActive, Supplier<List<Long>> peerIds) {
    this.isActive = isActive;
    this.peerIds = peerIds;
    this.thread = new Thread(this::run, "peer-activity");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Whether {@code peerId} has been reachable for at least etcd's health interval. */
  boolean connectedLongEnough(long peerId) {
    Long since = activeSinceNanos.get(peerId);
    return since != null && System.nanoTime() - since >= TimeUnit.MILLISECONDS.toNanos(healthIntervalMillis);
  }

  /** Whether {@code peerId} is reachable now. */
  boolean active(long peerId) {
    return isActive.test(peerId);
  }

  void sample() {
    long now = System.nanoTime();
    List<Long> ids = peerIds.get();
    activeSinceNanos.keySet().retainAll(ids);
    for (long id : ids) {
      if (isActive.test(id)) {
        activeSinceNanos.putIfAbsent(id, now);
      } else {
        activeSinceNanos.remove(id);
      }
    }
  }

  private void run() {
    while (running) {
      sample();
      try {
        Thread.sleep(sampleIntervalMillis);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
