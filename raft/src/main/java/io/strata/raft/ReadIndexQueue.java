package io.strata.raft;

import com.google.protobuf.ByteString;
import io.strata.raft.proto.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Read-index requests waiting for a quorum of heartbeat acknowledgements that prove this member
 * was still the leader when the request arrived. A request is identified by its context, which
 * travels in the heartbeat; an acknowledgement of a later request also confirms the earlier ones.
 */
final class ReadIndexQueue {
  record Pending(Message request, long index, Set<Long> acks) {}

  private final Map<ByteString, Pending> pending = new HashMap<>();
  private final ArrayDeque<ByteString> order = new ArrayDeque<>();

  /** Queues a request (its context is its first entry's data) to be answered with {@code index}. */
  void add(long index, Message request) {
    ByteString context = request.getEntries(0).getData();
    if (pending.containsKey(context)) {
      return;
    }
    pending.put(context, new Pending(request, index, new HashSet<>()));
    order.addLast(context);
  }

  /** Records {@code from}'s acknowledgement; returns who has acknowledged, or null if unknown. */
  Set<Long> ack(long from, ByteString context) {
    Pending p = pending.get(context);
    if (p == null) {
      return null;
    }
    p.acks.add(from);
    return p.acks;
  }

  /** Removes and returns every request up to and including the one with {@code context}. */
  List<Pending> releaseThrough(ByteString context) {
    if (!pending.containsKey(context)) {
      return List.of();
    }
    List<Pending> released = new ArrayList<>();
    while (!order.isEmpty()) {
      ByteString c = order.pollFirst();
      released.add(pending.remove(c));
      if (c.equals(context)) {
        break;
      }
    }
    return released;
  }

  /** The context of the newest request, which heartbeats carry; empty when none is waiting. */
  ByteString lastContext() {
    return order.isEmpty() ? ByteString.EMPTY : order.peekLast();
  }
}
