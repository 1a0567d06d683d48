package io.strata.server.watch;

import io.strata.api.mvccpb.Event;

/**
 * One watch on one stream. Its mutable fields are guarded by the hub's lock; the send path
 * reads only the final ones.
 */
final class Watcher {
  enum State {
    /** Gets each new revision straight from {@code onRevision}. */
    SYNCED,
    /** Behind the hub's revision; the catch-up task reads its events from history. */
    UNSYNCED,
    /** Cancelled because its next revision was compacted; the id stays taken, as in etcd. */
    COMPACTED,
    /** Cancelled by the client or closed with its stream. */
    CANCELED
  }

  final long id;
  final WatchStream stream;
  final KeyRange range;
  /** The revision the client asked to start from; 0 means "from the next revision". */
  final long startRevision;
  final boolean noPut;
  final boolean noDelete;
  final boolean prevKv;
  final boolean progressNotify;
  final boolean fragment;

  State state;
  /**
   * The first revision this watcher has not been given yet. Meaningful while UNSYNCED; a SYNCED
   * watcher is by definition at max(hub revision + 1, startRevision).
   */
  long nextRevision;
  /** True when no events were queued for this watcher since the last progress tick. */
  boolean progressDue = true;

  Watcher(
      long id,
      WatchStream stream,
      KeyRange range,
      long startRevision,
      boolean noPut,
      boolean noDelete,
      boolean prevKv,
      boolean progressNotify,
      boolean fragment) {
    this.id = id;
    this.stream = stream;
    this.range = range;
    this.startRevision = startRevision;
    this.noPut = noPut;
    this.noDelete = noDelete;
    this.prevKv = prevKv;
    this.progressNotify = progressNotify;
    this.fragment = fragment;
  }

  /** Whether the client's filters let this event through (the key is checked by the group). */
  boolean accepts(Event event) {
    return switch (event.getType()) {
      case PUT -> !noPut;
      case DELETE -> !noDelete;
      default -> true;
    };
  }

  boolean isActive() {
    return state == State.SYNCED || state == State.UNSYNCED;
  }

  @Override
  public String toString() {
    return "Watcher{id=" + id + ", range=" + range + ", state=" + state + ", next=" + nextRevision + "}";
  }
}
