package io.strata.server.member;

import io.strata.api.mvccpb.Event;
import io.strata.mvcc.RevisionListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Hands each applied revision's events to every in-process listener: the watch manager, and
 * the services built on watching keys (locks, elections). Listeners run on the apply thread
 * and must only hand the events on.
 */
final class RevisionFanOut implements RevisionListener {
  private final List<RevisionListener> listeners = new CopyOnWriteArrayList<>();

  void add(RevisionListener listener) {
    listeners.add(listener);
  }

  void remove(RevisionListener listener) {
    listeners.remove(listener);
  }

  @Override
  public void onRevision(long revision, List<Event> events) {
    for (RevisionListener l : listeners) {
      l.onRevision(revision, events);
    }
  }
}
