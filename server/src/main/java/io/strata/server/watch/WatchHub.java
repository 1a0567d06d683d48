package io.strata.server.watch;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.strata.api.etcdserverpb.WatchCreateRequest;
import io.strata.api.etcdserverpb.WatchRequest;
import io.strata.api.etcdserverpb.WatchResponse;
import io.strata.api.mvccpb.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watch manager: every watcher of every stream, grouped like etcd's watchable store into
 * synced watchers (matched against each new revision as it is applied) and unsynced ones (behind
 * the latest revision, caught up from {@link EventHistory} in bounded batches by a background
 * task). A stream whose client does not read has bounded room; once that is full its watchers
 * become unsynced instead of queueing more, and resume from history when it drains, so neither
 * the apply thread nor other streams ever wait for it.
 *
 * <p>One lock guards the groups and the watchers' state. It is held for matching and queueing
 * only, never across a history read or a network send: the catch-up task reads history with the
 * lock released and re-checks each watcher before queueing what it read.
 */
public final class WatchHub {
  private static final Logger LOG = LoggerFactory.getLogger(WatchHub.class);

  static final String REASON_COMPACTED = "etcdserver: mvcc: required revision has been compacted";
  static final String REASON_EMPTY_RANGE = "mvcc: watcher range is empty";
  static final String REASON_DUPLICATE_ID = "mvcc: duplicate watch ID provided on the WatchStream";
  /** How often the sync thread looks for unsynced watchers nobody woke it for (etcd: 100 ms). */
  static final Duration RESYNC_PERIOD = Duration.ofMillis(100);

  private final EventHistory history;
  private final HeaderSource headers;
  private final WatchOptions options;
  private final Executor sendExecutor;
  private final Executor syncExecutor;
  private final List<ExecutorService> ownedExecutors = new ArrayList<>();
  private final WatchService service = new WatchService(this);
  private final AtomicBoolean catchUpScheduled = new AtomicBoolean();

  private final ReentrantLock lock = new ReentrantLock();
  // Guarded by lock.
  /** The newest revision handed to {@link #onRevision}; synced watchers have seen all of it. */
  private long revision;
  private long compactRevision;
  private final WatcherGroup synced = new WatcherGroup();
  /** In the order they will be served; a watcher that stays behind goes to the back. */
  private final LinkedHashSet<Watcher> unsynced = new LinkedHashSet<>();
  private final Set<WatchStream> streams = new LinkedHashSet<>();
  private final Set<WatchStream> awaitingProgress = new LinkedHashSet<>();
  private boolean closed;

  /**
   * Starts the hub with daemon threads of its own: senders of responses, and one that catches
   * up unsynced watchers and ticks progress notifications.
   */
  public WatchHub(EventHistory history, HeaderSource headers, WatchOptions options) {
    this(history, headers, options, ownedSender(), ownedSyncer());
    ExecutorService sender = (ExecutorService) sendExecutor;
    ScheduledExecutorService syncer = (ScheduledExecutorService) syncExecutor;
    ownedExecutors.add(sender);
    ownedExecutors.add(syncer);
    long resyncMs = RESYNC_PERIOD.toMillis();
    syncer.scheduleWithFixedDelay(this::resyncIfBehind, resyncMs, resyncMs, TimeUnit.MILLISECONDS);
    Duration interval = options.progressNotifyInterval();
    if (!interval.isZero()) {
      if (interval.compareTo(WatchOptions.MIN_PROGRESS_NOTIFY_INTERVAL) < 0) {
        interval = WatchOptions.MIN_PROGRESS_NOTIFY_INTERVAL;
      }
      long ms = interval.toMillis();
      syncer.scheduleAtFixedRate(this::tickProgressSafely, ms, ms, TimeUnit.MILLISECONDS);
    }
  }

  /** For tests: the caller runs the executors and calls {@link #tickProgress} itself. */
  WatchHub(
      EventHistory history,
      HeaderSource headers,
      WatchOptions options,
      Executor sendExecutor,
      Executor syncExecutor) {
    this.history = history;
    this.headers = headers;
    this.options = options;
    this.sendExecutor = sendExecutor;
    this.syncExecutor = syncExecutor;
    this.revision = history.currentRevision();
    this.compactRevision = history.compactedRevision();
  }

  /**
   * One sender per core (at most four): each stream drains on one thread at a time, so streams
   * are what runs in parallel, and a server with many streams is not held to one core's worth
   * of building responses.
   */
  private static ExecutorService ownedSender() {
    int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    AtomicInteger n = new AtomicInteger();
    return Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "strata-watch-send-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  private static ScheduledExecutorService ownedSyncer() {
    return Executors.newSingleThreadScheduledExecutor(daemon("strata-watch-sync"));
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** The gRPC service to register with the server. */
  public WatchService service() {
    return service;
  }

  /**
   * Hands the hub the events of a newly applied revision. Called on the apply thread once the
   * revision is readable from the store, for every revision in order, each exactly once. A
   * DELETE must carry the deleted value as prev_kv; a PUT need not carry the value it replaced,
   * which is read from history when it is sent to a watcher that asked for it (see
   * {@link LivePrevKvs}). Never blocks on clients: it only matches and queues. A gap (a revision
   * never handed in) is survived by sending every watcher to read from history; a revision at or
   * below the last one is a caller bug and throws {@link IllegalArgumentException}.
   */
  public void onRevision(long rev, List<Event> events) {
    boolean skipped;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      if (rev <= revision) {
        throw new IllegalArgumentException("revision " + rev + " is not after " + revision);
      }
      for (Event ev : events) {
        if (ev.getKv().getModRevision() != rev) {
          throw new IllegalArgumentException(
              "event of revision " + ev.getKv().getModRevision() + " handed in as revision " + rev);
        }
      }
      skipped = rev > revision + 1;
      if (skipped) {
        // Revisions were skipped (a store restored from a snapshot): nobody can be sure to have
        // seen them, so everyone reads them from history.
        unsyncAll(revision + 1);
      }
      revision = rev;
      LivePrevKvs prevKvs = null;
      boolean prevKvsChecked = false;
      for (Map.Entry<Watcher, List<Event>> e : synced.match(events, w -> w.startRevision).entrySet()) {
        Watcher w = e.getKey();
        if (w.state != Watcher.State.SYNCED) {
          continue;
        }
        if (w.stream.queue.hasRoomForEvents()) {
          if (w.prevKv && !prevKvsChecked) {
            prevKvs = LivePrevKvs.of(history, events);
            prevKvsChecked = true;
          }
          w.stream.queue.add(PendingResponse.events(w, rev, e.getValue(), prevKvs));
          w.progressDue = false;
        } else {
          // The client is not reading: remember where it stopped and let the catch-up task
          // deliver this revision from history once its queue has drained.
          synced.remove(w);
          w.state = Watcher.State.UNSYNCED;
          w.nextRevision = rev;
          unsynced.add(w);
        }
      }
      answerAwaitingProgress();
    } finally {
      lock.unlock();
    }
    // Watchers set aside above are woken by their queue draining; only skipped revisions need
    // the catch-up task now.
    if (skipped) {
      scheduleCatchUp();
    }
  }

  /**
   * Tells the hub that the store's history now begins at {@code compactRevision}. Unsynced
   * watchers that still need an older revision are cancelled with {@code compact_revision} by
   * the next catch-up pass.
   */
  public void onCompacted(long compactRev) {
    boolean work;
    lock.lock();
    try {
      compactRevision = Math.max(compactRevision, compactRev);
      work = !unsynced.isEmpty();
    } finally {
      lock.unlock();
    }
    if (work) {
      scheduleCatchUp();
    }
  }

  /**
   * Tells the hub that the store was replaced (a snapshot from the leader) and now stands at
   * {@code newRevision}: every watcher reads what it has not seen from the new store's history.
   */
  public void onRestored(long newRevision) {
    lock.lock();
    try {
      unsyncAll(revision + 1);
      revision = newRevision;
      compactRevision = Math.max(compactRevision, history.compactedRevision());
    } finally {
      lock.unlock();
    }
    scheduleCatchUp();
  }

  /** Stops the hub's threads; open streams stop receiving and are ended by the gRPC server. */
  public void close() {
    lock.lock();
    try {
      closed = true;
      for (WatchStream s : streams) {
        s.queue.close();
      }
    } finally {
      lock.unlock();
    }
    for (ExecutorService e : ownedExecutors) {
      e.shutdownNow();
    }
  }

  // ---- streams and requests ----

  StreamObserver<WatchRequest> openStream(StreamObserver<WatchResponse> observer) {
    WatchStream s = new WatchStream(this, observer);
    lock.lock();
    try {
      if (closed) {
        observer.onError(Status.UNAVAILABLE.withDescription("etcdserver: server stopped").asRuntimeException());
        return s;
      }
      streams.add(s);
    } finally {
      lock.unlock();
    }
    s.queue.start();
    return s;
  }

  SendQueue newSendQueue(StreamObserver<WatchResponse> observer, WatchStream s) {
    // A failed send closes the stream from the sync thread, never from inside a drain that may
    // be running under this hub's lock in the middle of an iteration.
    Runnable closeLater = () -> {
      try {
        syncExecutor.execute(() -> closeStream(s));
      } catch (RejectedExecutionException e) {
        // The hub is closing; its streams go with it.
      }
    };
    return new SendQueue(observer, headers, sendExecutor, options, this::scheduleCatchUp, closeLater);
  }

  void create(WatchStream s, WatchCreateRequest req) {
    boolean behind = false;
    lock.lock();
    try {
      if (s.closed) {
        return;
      }
      if (req.getStartRevision() < 0) {
        s.queue.add(PendingResponse.refused(revision, REASON_COMPACTED));
        return;
      }
      KeyRange range = KeyRange.of(req.getKey(), req.getRangeEnd());
      if (range == null) {
        s.queue.add(PendingResponse.refused(revision, REASON_EMPTY_RANGE));
        return;
      }
      if (req.getWatchId() != WatchStream.AUTO_WATCH_ID && s.watchers.containsKey(req.getWatchId())) {
        s.queue.add(PendingResponse.refused(revision, REASON_DUPLICATE_ID));
        return;
      }
      boolean noPut = false;
      boolean noDelete = false;
      for (WatchCreateRequest.FilterType f : req.getFiltersList()) {
        noPut |= f == WatchCreateRequest.FilterType.NOPUT;
        noDelete |= f == WatchCreateRequest.FilterType.NODELETE;
      }
      long id = s.allocateId(req.getWatchId());
      long start = req.getStartRevision();
      Watcher w = new Watcher(id, s, range, start, noPut, noDelete, req.getPrevKv(),
          req.getProgressNotify(), req.getFragment());
      s.watchers.put(id, w);
      // The created response goes first so that no event can overtake it.
      s.queue.add(PendingResponse.created(id, revision));
      if (start == 0 || start > revision) {
        w.state = Watcher.State.SYNCED;
        synced.add(w);
      } else {
        w.state = Watcher.State.UNSYNCED;
        w.nextRevision = start;
        unsynced.add(w);
        behind = true;
      }
    } finally {
      lock.unlock();
    }
    if (behind) {
      scheduleCatchUp();
    }
  }

  void cancel(WatchStream s, long watchId) {
    lock.lock();
    try {
      Watcher w = s.watchers.remove(watchId);
      if (w == null || s.closed) {
        // etcd answers nothing for an id it does not know.
        return;
      }
      drop(w);
      s.queue.add(PendingResponse.canceled(watchId, revision));
      answerAwaitingProgress();
    } finally {
      lock.unlock();
    }
  }

  /**
   * A WatchProgressRequest: one response with watch id -1 and the current revision, but only
   * once every watcher of the stream has been given every event up to that revision, so the
   * client can trust that nothing older is still on its way. Until then it waits (several
   * requests meanwhile get one answer).
   */
  void requestProgress(WatchStream s) {
    lock.lock();
    try {
      if (s.closed) {
        return;
      }
      awaitingProgress.add(s);
      answerAwaitingProgress();
    } finally {
      lock.unlock();
    }
  }

  void closeStream(WatchStream s) {
    lock.lock();
    try {
      if (s.closed) {
        return;
      }
      s.closed = true;
      for (Watcher w : s.watchers.values()) {
        drop(w);
      }
      s.watchers.clear();
      streams.remove(s);
      awaitingProgress.remove(s);
      s.queue.close();
    } finally {
      lock.unlock();
    }
  }

  private void drop(Watcher w) {
    if (w.state == Watcher.State.SYNCED) {
      synced.remove(w);
    } else if (w.state == Watcher.State.UNSYNCED) {
      unsynced.remove(w);
    }
    w.state = Watcher.State.CANCELED;
  }

  // ---- progress ----

  /** Must hold the lock. Streams with no watchers get no answer, as in etcd. */
  private void answerAwaitingProgress() {
    if (awaitingProgress.isEmpty()) {
      return;
    }
    for (WatchStream s : List.copyOf(awaitingProgress)) {
      boolean anyActive = false;
      boolean allSynced = true;
      for (Watcher w : s.watchers.values()) {
        if (!w.isActive()) {
          continue;
        }
        anyActive = true;
        if (w.state != Watcher.State.SYNCED || revision < w.startRevision) {
          allSynced = false;
          break;
        }
      }
      if (!allSynced) {
        continue;
      }
      if (anyActive) {
        s.queue.add(PendingResponse.progress(PendingResponse.INVALID_WATCH_ID, revision));
      }
      awaitingProgress.remove(s);
    }
  }

  /**
   * One period of progress notifications: each synced watcher created with progress_notify that
   * was sent no events since the previous period gets an empty response with the current
   * revision. Watchers still catching up, or waiting for a future start revision, get none.
   */
  void tickProgress() {
    lock.lock();
    try {
      for (WatchStream s : List.copyOf(streams)) {
        if (s.queue.isBacklogged()) {
          continue;
        }
        for (Watcher w : List.copyOf(s.watchers.values())) {
          if (!w.progressNotify || !w.isActive()) {
            continue;
          }
          if (w.progressDue && w.state == Watcher.State.SYNCED && revision >= w.startRevision) {
            s.queue.add(PendingResponse.progress(w.id, revision));
          }
          w.progressDue = true;
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private void tickProgressSafely() {
    try {
      tickProgress();
    } catch (RuntimeException e) {
      LOG.error("watch progress notification failed", e);
    }
  }

  // ---- catch-up ----

  /** Must hold the lock: moves every synced watcher behind, to read from {@code from} on. */
  private void unsyncAll(long from) {
    List<Watcher> all = new ArrayList<>();
    synced.watchers().forEach(all::add);
    for (Watcher w : all) {
      synced.remove(w);
      w.state = Watcher.State.UNSYNCED;
      w.nextRevision = Math.max(from, w.startRevision);
      unsynced.add(w);
    }
  }

  /** Must hold the lock. */
  private boolean catchUpWanted() {
    return !closed && !unsynced.isEmpty();
  }

  void scheduleCatchUp() {
    if (catchUpScheduled.compareAndSet(false, true)) {
      try {
        syncExecutor.execute(this::catchUpTask);
      } catch (RejectedExecutionException e) {
        catchUpScheduled.set(false);
      }
    }
  }

  private void resyncIfBehind() {
    boolean work;
    lock.lock();
    try {
      work = catchUpWanted();
    } finally {
      lock.unlock();
    }
    if (work) {
      scheduleCatchUp();
    }
  }

  private void catchUpTask() {
    catchUpScheduled.set(false);
    boolean more;
    try {
      more = catchUpPass();
    } catch (RuntimeException e) {
      // The periodic resync retries; failing here must not kill the sync thread.
      LOG.error("watch catch-up failed", e);
      more = false;
    }
    if (more) {
      scheduleCatchUp();
    }
  }

  /**
   * Serves up to {@code maxWatchersPerCatchUp} unsynced watchers whose streams have room: reads
   * the events they miss from history (at most {@code maxEventsPerCatchUp}, whole revisions),
   * queues them, and moves the watchers that reached the latest revision back to the synced
   * group. Watchers whose next revision was compacted are cancelled with compact_revision.
   *
   * @return whether another pass has work to do right away
   */
  boolean catchUpPass() {
    List<Watcher> chosen = new ArrayList<>();
    Map<Watcher, Long> chosenFrom = new HashMap<>();
    long upTo;
    long from = Long.MAX_VALUE;
    boolean anyPrevKv = false;
    lock.lock();
    try {
      if (closed) {
        return false;
      }
      upTo = revision;
      for (Iterator<Watcher> it = unsynced.iterator(); it.hasNext() && chosen.size() < options.maxWatchersPerCatchUp(); ) {
        Watcher w = it.next();
        if (!w.stream.queue.hasRoomForEvents()) {
          continue;
        }
        if (compactRevision > 0 && w.nextRevision < compactRevision) {
          it.remove();
          w.state = Watcher.State.COMPACTED;
          w.stream.queue.add(PendingResponse.compacted(w.id, compactRevision));
          continue;
        }
        if (w.nextRevision > upTo) {
          it.remove();
          toSynced(w);
          continue;
        }
        chosen.add(w);
        chosenFrom.put(w, w.nextRevision);
        from = Math.min(from, w.nextRevision);
        anyPrevKv |= w.prevKv;
      }
      if (chosen.isEmpty()) {
        answerAwaitingProgress();
        return false;
      }
    } finally {
      lock.unlock();
    }

    // Several watchers are served by one read over every key; a lone watcher reads only its
    // own range, which is what a store can answer fastest.
    KeyRange readRange = chosen.size() == 1 ? chosen.get(0).range : KeyRange.ALL;
    int maxEvents = options.maxEventsPerCatchUp();
    List<Event> events;
    try {
      events = history.events(from, upTo, readRange.key(), readRange.end(), anyPrevKv, maxEvents);
    } catch (HistoryCompactedException e) {
      lock.lock();
      try {
        compactRevision = Math.max(compactRevision, e.compactRevision());
      } finally {
        lock.unlock();
      }
      return true;
    }
    long coveredTo = upTo;
    if (events.size() >= maxEvents) {
      // Possibly cut short: only the revisions returned are known to be complete.
      coveredTo = events.get(events.size() - 1).getKv().getModRevision();
    }
    checkHistory(events, from, coveredTo);

    boolean advanced = false;
    lock.lock();
    try {
      if (closed) {
        return false;
      }
      WatcherGroup group = new WatcherGroup();
      for (Watcher w : chosen) {
        // Skip watchers cancelled, or served by another pass, while the lock was released.
        if (w.state == Watcher.State.UNSYNCED && w.nextRevision == chosenFrom.get(w)) {
          group.add(w);
        }
      }
      Map<Watcher, List<Event>> matched = group.match(events, w -> w.nextRevision);
      for (Watcher w : group.watchers()) {
        if (coveredTo < w.nextRevision) {
          continue;
        }
        List<Event> evs = matched.get(w);
        if (evs != null) {
          if (!w.stream.queue.hasRoomForEvents()) {
            continue;
          }
          w.stream.queue.add(PendingResponse.events(w, coveredTo, evs));
          w.progressDue = false;
        }
        w.nextRevision = coveredTo + 1;
        advanced = true;
        unsynced.remove(w);
        if (w.nextRevision > revision) {
          toSynced(w);
        } else {
          // Still behind (more history, or new revisions arrived meanwhile): back of the line.
          unsynced.add(w);
        }
      }
      answerAwaitingProgress();
      return advanced && !unsynced.isEmpty();
    } finally {
      lock.unlock();
    }
  }

  /** Must hold the lock; the watcher is already out of the unsynced set. */
  private void toSynced(Watcher w) {
    if (w.nextRevision <= revision
        || (w.nextRevision != revision + 1 && w.nextRevision != w.startRevision)) {
      throw new IllegalStateException("watcher " + w + " would skip or repeat revisions at " + revision);
    }
    w.state = Watcher.State.SYNCED;
    synced.add(w);
  }

  private static void checkHistory(List<Event> events, long from, long to) {
    long last = from;
    for (Event ev : events) {
      long rev = ev.getKv().getModRevision();
      if (rev < last || rev > to) {
        throw new IllegalStateException(
            "history returned revision " + rev + " out of order or outside [" + from + ", " + to + "]");
      }
      last = rev;
    }
  }

  // ---- for tests ----

  long revision() {
    lock.lock();
    try {
      return revision;
    } finally {
      lock.unlock();
    }
  }

  int unsyncedCount() {
    lock.lock();
    try {
      return unsynced.size();
    } finally {
      lock.unlock();
    }
  }

  int syncedCount() {
    lock.lock();
    try {
      return synced.size();
    } finally {
      lock.unlock();
    }
  }
}
