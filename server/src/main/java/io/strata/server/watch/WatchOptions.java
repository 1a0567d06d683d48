package io.strata.server.watch;

import java.time.Duration;

/**
 * The watch hub's bounds and periods.
 *
 * @param progressNotifyInterval how often watchers created with {@code progress_notify} get an
 *     empty response carrying the current revision (etcd's
 *     {@code --experimental-watch-progress-notify-interval}, 10 minutes by default)
 * @param maxEventsPerCatchUp events read from history in one catch-up batch (whole revisions are
 *     never split, so a batch may exceed it by the size of one revision)
 * @param maxWatchersPerCatchUp unsynced watchers served by one catch-up pass, so that one pass
 *     holds the hub's lock for a bounded time
 * @param maxQueuedResponses responses with events a stream may hold unsent before its watchers
 *     are set aside and caught up from history later. A queued response holds references to
 *     events shared by every watcher that sees them, so this can be generous: a stream of a
 *     hundred watchers fills ten revisions' worth before anyone is set aside
 * @param maxQueuedBytes serialized event bytes a stream may hold unsent, with the same effect
 * @param fragmentThresholdBytes response size from which watchers created with {@code fragment}
 *     get their events split over several responses (etcd: max request bytes + 512 KiB)
 */
public record WatchOptions(
    Duration progressNotifyInterval,
    int maxEventsPerCatchUp,
    int maxWatchersPerCatchUp,
    int maxQueuedResponses,
    long maxQueuedBytes,
    int fragmentThresholdBytes) {

  /** etcd's smallest progress notification period; shorter settings are raised to it. */
  public static final Duration MIN_PROGRESS_NOTIFY_INTERVAL = Duration.ofMillis(100);

  public WatchOptions {
    if (progressNotifyInterval == null || progressNotifyInterval.isNegative()) {
      throw new IllegalArgumentException("progressNotifyInterval must be >= 0: " + progressNotifyInterval);
    }
    if (maxEventsPerCatchUp < 1 || maxWatchersPerCatchUp < 1 || maxQueuedResponses < 1
        || maxQueuedBytes < 1 || fragmentThresholdBytes < 1) {
      throw new IllegalArgumentException(String.format(
          "watch bounds must be positive: events %d, watchers %d, responses %d, bytes %d, fragment bytes %d",
          maxEventsPerCatchUp, maxWatchersPerCatchUp, maxQueuedResponses, maxQueuedBytes, fragmentThresholdBytes));
    }
  }

  public static WatchOptions defaults() {
    return new WatchOptions(
        Duration.ofMinutes(10), 1_000, 512, 1_024, 16L * 1024 * 1024, 1536 * 1024 + 512 * 1024);
  }

  /** A copy with another progress period; zero turns periodic notifications off. */
  public WatchOptions withProgressNotifyInterval(Duration interval) {
    return new WatchOptions(interval, maxEventsPerCatchUp, maxWatchersPerCatchUp,
        maxQueuedResponses, maxQueuedBytes, fragmentThresholdBytes);
  }

  public WatchOptions withQueueBounds(int responses, long bytes) {
    return new WatchOptions(progressNotifyInterval, maxEventsPerCatchUp, maxWatchersPerCatchUp,
        responses, bytes, fragmentThresholdBytes);
  }

  public WatchOptions withMaxEventsPerCatchUp(int events) {
    return new WatchOptions(progressNotifyInterval, events, maxWatchersPerCatchUp,
        maxQueuedResponses, maxQueuedBytes, fragmentThresholdBytes);
  }

  public WatchOptions withFragmentThresholdBytes(int bytes) {
    return new WatchOptions(progressNotifyInterval, maxEventsPerCatchUp, maxWatchersPerCatchUp,
        maxQueuedResponses, maxQueuedBytes, bytes);
  }
}
