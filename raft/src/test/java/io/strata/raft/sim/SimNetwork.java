package io.strata.raft.sim;

import io.strata.raft.proto.Message;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A virtual network: every message gets a delivery time; faults drop, duplicate and delay them,
 * and partitions cut links both ways. Messages due at the same time are delivered in random
 * order, which reorders them.
 */
final class SimNetwork {
  record InFlight(long deliverAt, long seq, Message message) {}

  private final Random random;
  private final List<InFlight> inFlight = new ArrayList<>();
  private final Set<Long> cutLinks = new HashSet<>();
  private long seq;
  double dropRate;
  double duplicateRate;
  int maxDelayTicks;

  SimNetwork(Random random) {
    this.random = random;
  }

  private static long link(long a, long b) {
    return Math.min(a, b) * 1_000_003L + Math.max(a, b);
  }

  void cut(long a, long b) {
    cutLinks.add(link(a, b));
  }

  void healAll() {
    cutLinks.clear();
  }

  boolean connected(long a, long b) {
    return !cutLinks.contains(link(a, b));
  }

  /** Queues a message; returns false if it was lost at once. */
  boolean send(Message m, long now) {
    if (!connected(m.getFrom(), m.getTo()) || random.nextDouble() < dropRate) {
      return false;
    }
    int copies = random.nextDouble() < duplicateRate ? 2 : 1;
    for (int i = 0; i < copies; i++) {
      long delay = maxDelayTicks == 0 ? 0 : random.nextInt(maxDelayTicks + 1);
      inFlight.add(new InFlight(now + delay, seq++, m));
    }
    return true;
  }

  /** Removes and returns the messages due by {@code now}, in a random order. */
  List<Message> due(long now) {
    List<Message> out = new ArrayList<>();
    List<InFlight> keep = new ArrayList<>(inFlight.size());
    for (InFlight f : inFlight) {
      if (f.deliverAt() <= now) {
        out.add(f.message());
      } else {
        keep.add(f);
      }
    }
    inFlight.clear();
    inFlight.addAll(keep);
    java.util.Collections.shuffle(out, random);
    return out;
  }
}
