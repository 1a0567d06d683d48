package io.strata.raft.sim;

import com.google.protobuf.ByteString;
import io.strata.raft.RaftConfig;
import io.strata.raft.RaftRole;
import io.strata.raft.proto.ConfState;
import io.strata.raft.proto.Message;
import io.strata.raft.proto.MessageType;
import io.strata.raft.proto.Snapshot;
import io.strata.raft.proto.SnapshotMetadata;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * One reproducible run: N real members over a {@link SimNetwork}, first a safety phase with
 * faults (drops, duplicates, delays, partitions, crashes that lose unsynced writes) and random
 * proposals, with {@link SafetyChecker} watching every step; then a liveness phase that heals
 * every fault and requires a leader and new proposals applied everywhere.
 */
final class Simulation {
  static final int SAFETY_TICKS = 300;
  static final int LIVENESS_TICKS = 400;
  private static final int MAX_ROUNDS_PER_TICK = 1000;

  private final long seed;
  private final Random random;
  private final SimNetwork network;
  private final SafetyChecker checker = new SafetyChecker();
  private final List<SimMember> members = new ArrayList<>();
  private final boolean skewedClocks;
  private long now;
  private int proposalCounter;
  private int crashes;
  // Scales how often faults strike: calm runs reach deep logs, stormy ones churn leaders.
  private double faultIntensity = 1;

  Simulation(long seed) {
    this.seed = seed;
    this.random = new Random(seed);
    this.network = new SimNetwork(random);
    int size = 3 + 2 * random.nextInt(2);
    boolean preVote = random.nextBoolean();
    boolean checkQuorum = random.nextBoolean();
    this.skewedClocks = random.nextBoolean();
    ConfState.Builder cs = ConfState.newBuilder();
    for (long id = 1; id <= size; id++) {
      cs.addVoters(id);
    }
    Snapshot bootstrap = Snapshot.newBuilder()
        .setMetadata(SnapshotMetadata.newBuilder().setConfState(cs)).build();
    long maxMsgBytes = 64 + random.nextInt(512);
    int maxInflight = 1 + random.nextInt(8);
    for (long id = 1; id <= size; id++) {
      RaftConfig config = new RaftConfig(id, 10, 2, maxMsgBytes, maxInflight, preVote, checkQuorum, 0,
          random.nextBoolean() ? 0 : maxMsgBytes * 2);
      members.add(new SimMember(id, config, bootstrap, new Random(random.nextLong()), checker));
    }
  }

  void run() {
    network.dropRate = 0.05 * random.nextInt(4);
    network.duplicateRate = 0.05 * random.nextInt(3);
    network.maxDelayTicks = random.nextInt(4);
    faultIntensity = 0.5 + 2.5 * random.nextDouble();
    for (int t = 0; t < SAFETY_TICKS; t++) {
      injectFaults();
      maybePropose();
      tick(true);
      if (t % 25 == 0) {
        checker.checkLogMatching(members);
      }
    }
    heal();
    Set<ByteString> pending = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      pending.add(ByteString.copyFromUtf8("final-" + i));
    }
    int t = 0;
    for (; t < LIVENESS_TICKS; t++) {
      if (t % 20 == 0) {
        retryProposals(pending);
      }
      tick(false);
      if (allApplied(pending)) {
        break;
      }
    }
    checker.checkLogMatching(members);
    if (t == LIVENESS_TICKS) {
      throw new AssertionError("liveness: after healing, proposals were not applied everywhere within "
          + LIVENESS_TICKS + " ticks; leaders: " + describeRoles());
    }
  }

  /** A one-line account of what the run exercised. */
  String summary() {
    return String.format("seed %d: %d members, %d terms with a leader, %d crashes, %d snapshots installed, "
        + "applied up to %d", seed, members.size(), checker.termsWithLeader(), crashes,
        checker.snapshotsInstalled(), checker.maxAppliedIndex());
  }

  private String describeRoles() {
    StringBuilder sb = new StringBuilder();
    for (SimMember m : members) {
      sb.append(m.id).append('=').append(m.up ? m.node.status().toString() : "down").append("; ");
    }
    return sb.toString();
  }

  private void injectFaults() {
    double r = random.nextDouble() / faultIntensity;
    if (r < 0.02) {
      // Crashing the leader is the interesting case: favour it.
      SimMember m = members.get(random.nextInt(members.size()));
      for (SimMember candidate : members) {
        if (candidate.up && candidate.role == RaftRole.LEADER && random.nextBoolean()) {
          m = candidate;
        }
      }
      if (m.up) {
        m.crash();
        crashes++;
      }
    } else if (r < 0.05) {
      for (SimMember m : members) {
        if (!m.up && random.nextBoolean()) {
          m.restart();
        }
      }
    } else if (r < 0.07) {
      // Cut one member off from everyone, or split the cluster in two.
      long a = 1 + random.nextInt(members.size());
      for (SimMember m : members) {
        if (m.id != a && (random.nextBoolean() || random.nextBoolean())) {
          network.cut(a, m.id);
        }
      }
    } else if (r < 0.09) {
      network.healAll();
    }
  }

  private void maybePropose() {
    if (random.nextDouble() > 0.3) {
      return;
    }
    for (SimMember m : members) {
      if (m.up && m.role == RaftRole.LEADER) {
        int batch = 1 + random.nextInt(3);
        List<ByteString> data = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
          data.add(ByteString.copyFromUtf8("v" + (proposalCounter++)));
        }
        m.node.propose(data);
      }
    }
    if (random.nextDouble() < 0.1) {
      SimMember m = members.get(random.nextInt(members.size()));
      if (m.up) {
        m.node.readIndex(ByteString.copyFromUtf8("read-" + (proposalCounter++)));
      }
    }
    if (random.nextDouble() < 0.02) {
      SimMember m = members.get(random.nextInt(members.size()));
      if (m.up) {
        m.node.transferLeadership(1 + random.nextInt(members.size()));
      }
    }
  }

  private void heal() {
    network.healAll();
    network.dropRate = 0;
    network.duplicateRate = 0;
    for (SimMember m : members) {
      if (!m.up) {
        m.restart();
      }
    }
  }

  private void retryProposals(Set<ByteString> pending) {
    for (SimMember m : members) {
      if (m.role == RaftRole.LEADER) {
        List<ByteString> notYet = new ArrayList<>();
        for (ByteString p : pending) {
          if (checker.firstAppliedIndex(p) == null) {
            notYet.add(p);
          }
        }
        if (!notYet.isEmpty()) {
          m.node.propose(notYet);
        }
      }
    }
  }

  private boolean appliedEverywhere(ByteString p) {
    Long index = checker.firstAppliedIndex(p);
    if (index == null) {
      return false;
    }
    for (SimMember m : members) {
      if (m.appliedIndex < index) {
        return false;
      }
    }
    return true;
  }

  private boolean allApplied(Set<ByteString> pending) {
    for (ByteString p : pending) {
      if (!appliedEverywhere(p)) {
        return false;
      }
    }
    // Everyone has caught up to the same point as well.
    long target = -1;
    for (SimMember m : members) {
      if (target < 0) {
        target = m.appliedIndex;
      } else if (m.appliedIndex != target) {
        return false;
      }
    }
    return true;
  }

  private void tick(boolean faults) {
    now++;
    for (SimMember m : members) {
      if (!m.up) {
        continue;
      }
      // A skewed clock sometimes misses a tick, or takes two.
      int ticks = skewedClocks ? random.nextInt(3) : 1;
      for (int i = 0; i < ticks; i++) {
        m.node.tick();
      }
    }
    for (int round = 0; round < MAX_ROUNDS_PER_TICK; round++) {
      boolean busy = false;
      for (SimMember m : members) {
        if (!m.up) {
          continue;
        }
        List<Message> out = m.processReady();
        if (out != null) {
          busy = true;
          for (Message msg : out) {
            send(m, msg);
          }
        }
        if (faults && random.nextDouble() < 0.01) {
          m.snapshotAndCompact(random.nextInt(5));
        }
      }
      for (Message msg : network.due(now)) {
        busy = true;
        deliver(msg);
      }
      if (!busy) {
        return;
      }
    }
    throw new AssertionError("the cluster did not quiesce within one tick");
  }

  private void send(SimMember from, Message msg) {
    boolean sent = network.send(msg, now);
    if (!sent && msg.getType() == MessageType.MSG_SNAP) {
      from.node.reportSnapshot(msg.getTo(), true);
    } else if (!sent && random.nextBoolean()) {
      from.node.reportUnreachable(msg.getTo());
    }
  }

  private void deliver(Message msg) {
    SimMember to = members.get((int) msg.getTo() - 1);
    SimMember from = members.get((int) msg.getFrom() - 1);
    if (!to.up) {
      if (msg.getType() == MessageType.MSG_SNAP && from.up) {
        from.node.reportSnapshot(msg.getTo(), true);
      }
      return;
    }
    to.node.step(msg);
    if (msg.getType() == MessageType.MSG_SNAP && from.up) {
      from.node.reportSnapshot(msg.getTo(), false);
    }
  }
}
