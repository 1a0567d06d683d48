package io.strata.server.raftnode;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.strata.raft.MemoryRaftStorage;
import io.strata.raft.RaftConfig;
import io.strata.raft.RaftNode;
import io.strata.raft.proto.ConfState;
import io.strata.raft.proto.Entry;
import io.strata.raft.proto.Message;
import io.strata.raft.proto.Snapshot;
import io.strata.raft.proto.SnapshotMetadata;
import io.strata.raft.wal.SnapshotFiles;
import io.strata.raft.wal.Wal;
import io.strata.raft.wal.WalOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three raft loops in one process, over real WALs, with messages handed straight to each other:
 * a leader whose fsync stalls for many election timeouts keeps its leadership, and the cluster
 * keeps committing through its followers meanwhile.
 */
class RaftLoopSlowDiskTest {
  private static final long tickMillis = 20;
  private static final int electionTicks = 10;
  private static final long stallMillis = 10 * tickMillis * electionTicks;

  @TempDir
  Path dir;

  private final Map<Long, Member> members = new TreeMap<>();
  private final Map<Long, RaftLoop> loops = new ConcurrentHashMap<>();

  /** One member: its loop, a state machine that records applied data, and a disk that can stall. */
  private final class Member implements RaftLoop.CommitSink {
    final long id;
    final List<ByteString> applied = new CopyOnWriteArrayList<>();
    volatile long appliedIndex;
    /** Set while the disk stalls: fsyncs wait until it is counted down. */
    volatile CountDownLatch diskStall;
    final RaftLoop loop;

    Member(long id, ConfState voters) throws Exception {
      this.id = id;
      MemoryRaftStorage storage = new MemoryRaftStorage();
      storage.applySnapshot(Snapshot.newBuilder().setMetadata(SnapshotMetadata.newBuilder().setConfState(voters)).build());
      Wal wal = Wal.create(dir.resolve("wal-" + id), WalOptions.defaults(), ByteString.EMPTY);
      RaftNode node = new RaftNode(new RaftConfig(id, electionTicks, 1, 1 << 20, 256, true, true, 0), storage,
          new Random(id));
      loop = new RaftLoop(node, storage, wal, new SnapshotFiles(dir.resolve("snap-" + id)), this,
          messages -> {
            for (Message m : messages) {
              RaftLoop to = loops.get(m.getTo());
              if (to != null) {
                to.receive(m);
              }
            }
          },
          voters, tickMillis, leader -> {}, this::stallWhileAsked);
      loops.put(id, loop);
    }

    /** Holds the fsync until the test lets the disk go (or a bound, should the test fail first). */
    private void stallWhileAsked() {
      CountDownLatch stall = diskStall;
      if (stall != null) {
        try {
          stall.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    void releaseDisk() {
      CountDownLatch stall = diskStall;
      diskStall = null;
      if (stall != null) {
        stall.countDown();
      }
    }

    @Override
    public void committed(List<Entry> entries) {
      for (Entry e : entries) {
        if (!e.getData().isEmpty()) {
          applied.add(e.getData());
        }
        appliedIndex = e.getIndex();
      }
    }

    @Override
    public void installSnapshot(Snapshot snapshot) {
      throw new AssertionError("no snapshot is sent in this test");
    }

    @Override
    public long appliedIndex() {
      return appliedIndex;
    }

    @Override
    public void whenApplied(long index, Runnable action) {
      action.run();
    }
  }

  @AfterEach
  void stop() throws Exception {
    for (Member m : members.values()) {
      m.releaseDisk();
      m.loop.close();
    }
  }

  @Test
  void leaderWhoseFsyncStallsForTenElectionTimeoutsKeepsLeadingAndFollowersKeepCommitting() throws Exception {
    ConfState voters = ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3).build();
    for (long id = 1; id <= 3; id++) {
      members.put(id, new Member(id, voters));
    }
    members.values().forEach(m -> m.loop.start());
    awaitTrue("a leader that every member knows", () -> agreedLeader() != 0);
    long leaderId = agreedLeader();
    Member leader = members.get(leaderId);
    long term = leader.loop.term();
    ByteString a = ByteString.copyFromUtf8("a");
    leader.loop.propose(a).get(5, TimeUnit.SECONDS);
    awaitTrue("'a' applied everywhere", () -> members.values().stream().allMatch(m -> m.applied.contains(a)));

    leader.diskStall = new CountDownLatch(1);
    ByteString b = ByteString.copyFromUtf8("b");
    leader.loop.propose(b).get(5, TimeUnit.SECONDS);
    List<String> changes = new ArrayList<>();
    long stallEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(stallMillis);
    while (System.nanoTime() - stallEnd < 0) {
      for (Member m : members.values()) {
        if (m.loop.leaderId() != leaderId || m.loop.term() != term) {
          changes.add("member " + m.id + " saw leader " + m.loop.leaderId() + " in term " + m.loop.term());
        }
      }
      sleep(tickMillis);
    }
    boolean followersAppliedDuringStall = members.values().stream()
        .filter(m -> m.id != leaderId).allMatch(m -> m.applied.contains(b));
    boolean leaderAppliedDuringStall = leader.applied.contains(b);
    leader.releaseDisk();

    assertThat(changes).as("leadership changes while the leader's disk stalled").isEmpty();
    assertThat(followersAppliedDuringStall).as("followers committed 'b' on their own disks").isTrue();
    assertThat(leaderAppliedDuringStall).as("the leader applies only what is on its own disk").isFalse();
    awaitTrue("'b' applied on the leader once its disk is back", () -> leader.applied.contains(b));
  }

  private long agreedLeader() {
    long leader = -1;
    for (Member m : members.values()) {
      long l = m.loop.leaderId();
      if (l == 0 || (leader != -1 && l != leader)) {
        return 0;
      }
      leader = l;
    }
    return leader;
  }

  private static void awaitTrue(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out waiting for " + what);
      }
      sleep(10);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
