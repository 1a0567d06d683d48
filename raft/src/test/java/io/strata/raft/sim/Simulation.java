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
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * One reproducible run: real members over a {@link SimNetwork}, first a safety phase with faults
 * (drops, duplicates, delays, partitions, crashes that lose unsynced writes), random proposals
 * and, on some seeds, membership changes and reports that a peer's process is gone (right ones
 * after crashes, wrong ones too), with {@link SafetyChecker} watching every step; then a
 * liveness phase that heals every fault and requires a leader among the final voters and new
 * proposals applied by every member of the final configuration.
 *
 * <p>Everything random comes from the seed, and members are kept in id order, so one seed always
 * replays the same run.
 */
final class Simulation implements SimMembership.Cluster {
  static final int SAFETY_TICKS = 300;
  static final int LIVENESS_TICKS = 600;
  private static final int MAX_ROUNDS_PER_TICK = 1000;
  private static final int ELECTION_TICKS = 10;
  private static final int HEARTBEAT_TICKS = 2;

  private final long seed;
  private final Random random;
  private final SimNetwork network;
  private final SafetyChecker checker;
  // Members that run or are down, by id; stopped (removed) members leave this map for good.
  private final TreeMap<Long, SimMember> members = new TreeMap<>();
  private final List<SimMember> departed = new ArrayList<>();
  private final SimMembership membership;
  private final boolean skewedClocks;
  private final boolean preVote;
  private final boolean checkQuorum;
  private final long maxMsgBytes;
  private final int maxInflight;
  private final int initialSize;
  // Whether members finish their writes after accepting a Ready (as the server does), how many
  // ticks a write may take, and how often one stalls for up to three election timeouts.
  private final boolean asyncWrites;
  private final int maxWriteDelayTicks;
  private double slowWriteChance;
  // How likely a membership change is per tick; 0 on seeds with a fixed membership.
  private final double membershipChangeRate;
  // Whether members hear that a crashed peer is gone (as the transport reports a refused
  // connection), and campaign a few ticks later if it was their leader.
  private final boolean reportsGonePeers;
  // Campaigns due after a report that a member's leader is gone: {member id, due tick}.
  private final List<long[]> campaignsDue = new ArrayList<>();
  private int goneLeaderCampaigns;
  private long now;
  private int proposalCounter;
  private int crashes;
  // A digest of every delivered message, to show that a seed replays the same run.
  private long trace = 17;
  // Scales how often faults strike: calm runs reach deep logs, stormy ones churn leaders.
  private double faultIntensity = 1;

  Simulation(long seed) {
    this.seed = seed;
    this.random = new Random(scramble(seed));
    this.network = new SimNetwork(random);
    boolean changesMembership = random.nextBoolean();
    this.membershipChangeRate = changesMembership ? 0.01 + 0.05 * random.nextDouble() : 0;
    this.initialSize = changesMembership ? 1 + random.nextInt(5) : 3 + 2 * random.nextInt(2);
    this.preVote = random.nextBoolean();
    this.checkQuorum = random.nextBoolean();
    this.skewedClocks = random.nextBoolean();
    this.maxMsgBytes = 64 + random.nextInt(512);
    this.maxInflight = 1 + random.nextInt(8);
    this.asyncWrites = random.nextBoolean();
    this.maxWriteDelayTicks = random.nextInt(3);
    this.slowWriteChance = random.nextBoolean() ? 0 : 0.01 + 0.04 * random.nextDouble();
    ConfState.Builder cs = ConfState.newBuilder();
    for (long id = 1; id <= initialSize; id++) {
      cs.addVoters(id);
    }
    this.checker = new SafetyChecker(cs.build());
    this.membership = new SimMembership(random, this, initialSize + 1);
    for (long id = 1; id <= initialSize; id++) {
      addMember(id, cs.build(), false);
    }
    this.reportsGonePeers = random.nextBoolean();
  }

  /**
   * Spreads consecutive seeds apart: {@link Random}'s first outputs for seeds 1, 2, 3... are
   * strongly correlated, which would skew every seed's first coin flips the same way.
   */
  private static long scramble(long seed) {
    long z = seed * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private void addMember(long id, ConfState bootstrap, boolean joined) {
    RaftConfig config = new RaftConfig(id, ELECTION_TICKS, HEARTBEAT_TICKS, maxMsgBytes, maxInflight, preVote,
        checkQuorum, 0, random.nextBoolean() ? 0 : maxMsgBytes * 2);
    Snapshot snapshot = Snapshot.newBuilder()
        .setMetadata(SnapshotMetadata.newBuilder().setConfState(bootstrap)).build();
    members.put(id, new SimMember(id, config, snapshot, joined, new Random(random.nextLong()), checker,
        (m, entry, change, after) -> membership.applied(entry, change, after), asyncWrites, maxWriteDelayTicks,
        3 * ELECTION_TICKS, slowWriteChance));
  }

  @Override
  public TreeMap<Long, SimMember> members() {
    return members;
  }

  @Override
  public void startJoiner(long id) {
    // A member joining a running cluster starts empty, with no membership of its own.
    addMember(id, ConfState.getDefaultInstance(), true);
  }

  @Override
  public void stop(long id) {
    SimMember m = members.remove(id);
    if (m != null) {
      m.up = false;
      departed.add(m);
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
      maybeChangeMembership();
      tick(true);
      if (t % 25 == 0) {
        checker.checkLogMatching(upMembers());
      }
    }
    heal();
    List<ByteString> pending = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      pending.add(ByteString.copyFromUtf8("final-" + i));
    }
    int t = 0;
    for (; t < LIVENESS_TICKS; t++) {
      if (t % 20 == 0) {
        retryProposals(pending);
      }
      tick(false);
      if (settled(pending)) {
        break;
      }
    }
    checker.checkLogMatching(upMembers());
    if (t == LIVENESS_TICKS) {
      throw new AssertionError("liveness: after healing, proposals were not applied by every member of the final "
          + "configuration within " + LIVENESS_TICKS + " ticks; members: " + describeRoles());
    }
  }

  /** What the run exercised, for the per-run summary and for the totals over many seeds. */
  SimStats stats() {
    return new SimStats(membershipChangeRate > 0, membership.proposed(), checker.confChangesApplied(),
        checker.leaderRemovalsApplied(), membership.joinersStarted(), membership.membersStopped(),
        membership.refusedWhilePending(), checker.termsLedFromOutsideConfiguration(), crashes,
        checker.snapshotsInstalled(), asyncWrites, overlappedWrites(), goneLeaderCampaigns);
  }

  private int overlappedWrites() {
    int total = 0;
    for (SimMember m : members.values()) {
      total += m.overlappedWrites;
    }
    for (SimMember m : departed) {
      total += m.overlappedWrites;
    }
    return total;
  }

  /** A digest of every message delivered in order: equal for two runs of one seed. */
  long trace() {
    return trace;
  }

  /** A one-line account of what the run exercised. */
  String summary() {
    SimStats s = stats();
    return String.format("seed %d: %d members at start, %d at the end, %d terms with a leader, %d crashes, "
        + "%d snapshots installed, applied up to %d, %d conf changes applied (%d removed their leader), "
        + "%d members joined, %d stopped", seed, initialSize, members.size(), checker.termsWithLeader(), crashes,
        s.snapshotsInstalled(), checker.maxAppliedIndex(), s.confChangesApplied(), s.leaderRemovals(),
        s.joinersStarted(), s.membersStopped());
  }

  private List<SimMember> upMembers() {
    List<SimMember> up = new ArrayList<>();
    for (SimMember m : members.values()) {
      if (m.up) {
        up.add(m);
      }
    }
    return up;
  }

  private SimMember randomMember() {
    List<SimMember> all = new ArrayList<>(members.values());
    return all.get(random.nextInt(all.size()));
  }

  private String describeRoles() {
    StringBuilder sb = new StringBuilder();
    for (SimMember m : members.values()) {
      sb.append(m.id).append('=').append(m.up ? m.node.status().toString() : "down").append("; ");
    }
    return sb.toString();
  }

  private void injectFaults() {
    double r = random.nextDouble() / faultIntensity;
    if (r < 0.02) {
      // Crashing the leader is the interesting case: favour it.
      SimMember m = randomMember();
      for (SimMember candidate : members.values()) {
        if (candidate.up && candidate.role == RaftRole.LEADER && random.nextBoolean()) {
          m = candidate;
        }
      }
      if (m.up) {
        m.crash();
        crashes++;
        if (reportsGonePeers) {
          for (SimMember other : upMembers()) {
            if (random.nextDouble() < 0.8) {
              reportGone(other, m.id);
            }
          }
        }
      }
    } else if (r < 0.05) {
      for (SimMember m : members.values()) {
        if (!m.up && random.nextBoolean()) {
          m.restart();
        }
      }
    } else if (r < 0.07) {
      // Cut one member off from everyone, or split the cluster in two.
      long a = randomMember().id;
      for (SimMember m : members.values()) {
        if (m.id != a && (random.nextBoolean() || random.nextBoolean())) {
          network.cut(a, m.id);
        }
      }
    } else if (r < 0.09) {
      network.healAll();
    } else if (r < 0.1 && reportsGonePeers) {
      // A wrong report: the peer runs (a connection reset and a refused redial, say).
      SimMember told = randomMember();
      if (told.up) {
        reportGone(told, randomMember().id);
      }
    }
  }

  private void reportGone(SimMember told, long gone) {
    if (told.node.reportPeerGone(gone)) {
      campaignsDue.add(new long[] {told.id, now + random.nextInt(3)});
    }
  }

  private void runDueCampaigns() {
    for (var it = campaignsDue.iterator(); it.hasNext(); ) {
      long[] due = it.next();
      if (due[1] > now) {
        continue;
      }
      it.remove();
      SimMember m = members.get(due[0]);
      if (m != null && m.up) {
        RaftRole before = m.node.status().role();
        m.node.campaignAfterLeaderGone();
        if (m.node.status().role() != before) {
          goneLeaderCampaigns++;
        }
      }
    }
  }

  private void maybePropose() {
    if (random.nextDouble() > 0.3) {
      return;
    }
    for (SimMember m : members.values()) {
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
      SimMember m = randomMember();
      if (m.up) {
        m.node.readIndex(ByteString.copyFromUtf8("read-" + (proposalCounter++)));
      }
    }
    if (random.nextDouble() < 0.02) {
      SimMember m = randomMember();
      if (m.up) {
        m.node.transferLeadership(randomMember().id);
      }
    }
  }

  private void maybeChangeMembership() {
    if (membershipChangeRate == 0 || random.nextDouble() >= membershipChangeRate) {
      return;
    }
    List<SimMember> leaders = new ArrayList<>();
    for (SimMember m : members.values()) {
      if (m.up && m.role == RaftRole.LEADER) {
        leaders.add(m);
      }
    }
    if (!leaders.isEmpty()) {
      membership.proposeChange(leaders.get(random.nextInt(leaders.size())));
    }
  }

  private void heal() {
    network.healAll();
    network.dropRate = 0;
    network.duplicateRate = 0;
    for (SimMember m : members.values()) {
      // An election needs durable votes: with disks that stall for longer than an election
      // timeout again and again, no cluster elects a leader, so liveness is asked of healed disks.
      m.slowWriteChance = 0;
      slowWriteChance = 0;
      if (!m.up) {
        m.restart();
      }
    }
  }

  private void retryProposals(List<ByteString> pending) {
    for (SimMember m : members.values()) {
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

  /**
   * Whether the healed cluster has settled: a leader that is a voter of its configuration has
   * applied its whole log, the final proposals among it, and every member of that configuration
   * has applied exactly as much and agrees on the configuration.
   */
  private boolean settled(List<ByteString> pending) {
    SimMember leader = null;
    for (SimMember m : members.values()) {
      if (m.up && m.role == RaftRole.LEADER && m.confState.getVotersList().contains(m.id)) {
        leader = m;
      }
    }
    if (leader == null || leader.appliedIndex != leader.storage.lastIndex()) {
      return false;
    }
    for (ByteString p : pending) {
      if (checker.firstAppliedIndex(p) == null) {
        return false;
      }
    }
    ConfState cs = leader.confState;
    List<Long> everyone = new ArrayList<>(cs.getVotersList());
    everyone.addAll(cs.getLearnersList());
    for (long id : everyone) {
      SimMember m = members.get(id);
      if (m == null || !m.up || m.appliedIndex != leader.appliedIndex || !m.confState.equals(cs)) {
        return false;
      }
    }
    return true;
  }

  private void tick(boolean faults) {
    now++;
    runDueCampaigns();
    for (SimMember m : members.values()) {
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
      // A copy: applying a conf change may start a new member meanwhile.
      for (SimMember m : new ArrayList<>(members.values())) {
        if (!m.up) {
          continue;
        }
        List<Message> finished = m.finishWrites(now);
        if (!finished.isEmpty()) {
          busy = true;
          for (Message msg : finished) {
            send(m, msg);
          }
        }
        List<Message> out = m.processReady(now);
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
      membership.stopRemovedMembers();
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
    SimMember to = members.get(msg.getTo());
    SimMember from = members.get(msg.getFrom());
    boolean senderUp = from != null && from.up;
    if (to == null || !to.up || from == null) {
      // The receiver is down, stopped or not started yet; a stopped sender's messages are dropped.
      if (msg.getType() == MessageType.MSG_SNAP && senderUp) {
        from.node.reportSnapshot(msg.getTo(), true);
      }
      return;
    }
    trace = trace * 31 + (msg.getType().getNumber() * 1_000_003L + msg.getFrom() * 8191 + msg.getTo())
        ^ (msg.getTerm() * 131 + msg.getIndex() * 17 + msg.getCommit() + msg.getEntriesCount());
    to.node.step(msg);
    if (msg.getType() == MessageType.MSG_SNAP && senderUp) {
      from.node.reportSnapshot(msg.getTo(), false);
    }
  }
}
