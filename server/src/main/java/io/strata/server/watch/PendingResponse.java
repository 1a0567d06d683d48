package io.strata.server.watch;

import io.strata.api.etcdserverpb.WatchResponse;
import io.strata.api.mvccpb.Event;
import java.util.List;

/**
 * A response waiting in a stream's send queue. The protobuf message is built only when it is
 * sent, on the send thread, so that the apply thread pays for matching and nothing more; the
 * prev_kv of live updates is read then too.
 *
 * @param events the events as read from history (with prev_kv when asked for) or as handed in
 *     live (updates without prev_kv)
 * @param stripPrevKv true when the watcher did not ask for prev_kv, so it is removed on send
 * @param fragment true when the watcher accepts fragmented responses
 * @param eventBytes serialized size of the events, counted against the stream's byte bound
 * @param prevKvs where the live updates' prev_kv is read on send; null when the watcher did not
 *     ask for prev_kv or the events need none
 */
record PendingResponse(
    long watchId,
    long headerRevision,
    List<Event> events,
    boolean created,
    boolean canceled,
    long compactRevision,
    String cancelReason,
    boolean stripPrevKv,
    boolean fragment,
    long eventBytes,
    LivePrevKvs prevKvs) {

  /** etcd's clientv3.InvalidWatchID: used for refusals and stream-wide progress responses. */
  static final long INVALID_WATCH_ID = -1;

  /** Events read from history, which carry prev_kv already when the watcher asked for it. */
  static PendingResponse events(Watcher w, long headerRevision, List<Event> events) {
    return events(w, headerRevision, events, null);
  }

  /**
   * Events of a revision handed in live; {@code prevKvs} completes the updates among them when
   * the watcher asked for prev_kv.
   */
  static PendingResponse events(Watcher w, long headerRevision, List<Event> events, LivePrevKvs prevKvs) {
    LivePrevKvs completer = w.prevKv ? prevKvs : null;
    long bytes = 0;
    for (Event ev : events) {
      bytes += ev.getSerializedSize();
      if (completer != null && LivePrevKvs.lacksPrevKv(ev)) {
        // The previous value is read only on send; the new one's size stands in for it.
        bytes += ev.getKv().getSerializedSize();
      }
    }
    return new PendingResponse(
        w.id, headerRevision, List.copyOf(events), false, false, 0, "", !w.prevKv, w.fragment, bytes, completer);
  }

  static PendingResponse created(long watchId, long headerRevision) {
    return control(watchId, headerRevision, true, false, 0, "");
  }

  /** A create request etcd refuses: created and canceled at once, with the invalid id. */
  static PendingResponse refused(long headerRevision, String reason) {
    return control(INVALID_WATCH_ID, headerRevision, true, true, 0, reason);
  }

  static PendingResponse canceled(long watchId, long headerRevision) {
    return control(watchId, headerRevision, false, true, 0, "");
  }

  /** etcd sends the compaction cancel with no header revision, only compact_revision. */
  static PendingResponse compacted(long watchId, long compactRevision) {
    return control(watchId, 0, false, true, compactRevision, "");
  }

  static PendingResponse progress(long watchId, long headerRevision) {
    return control(watchId, headerRevision, false, false, 0, "");
  }

  private static PendingResponse control(
      long watchId, long rev, boolean created, boolean canceled, long compactRev, String reason) {
    return new PendingResponse(watchId, rev, List.of(), created, canceled, compactRev, reason, false, false, 0, null);
  }

  /** True for responses that carry events and so count against the stream's bounds. */
  boolean hasEvents() {
    return !events.isEmpty();
  }

  WatchResponse toResponse(HeaderSource headers) {
    WatchResponse.Builder b =
        WatchResponse.newBuilder()
            .setHeader(headers.header(headerRevision))
            .setWatchId(watchId)
            .setCreated(created)
            .setCanceled(canceled)
            .setCompactRevision(compactRevision)
            .setCancelReason(cancelReason);
    for (Event ev : events) {
      if (stripPrevKv) {
        b.addEvents(ev.hasPrevKv() ? ev.toBuilder().clearPrevKv().build() : ev);
      } else {
        b.addEvents(prevKvs != null ? prevKvs.complete(ev) : ev);
      }
    }
    return b.build();
  }
}
