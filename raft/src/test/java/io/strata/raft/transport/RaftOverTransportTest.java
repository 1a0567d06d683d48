package io.strata.raft.transport;

import static io.strata.raft.transport.TransportFixtures.await;
import static io.strata.raft.transport.TransportFixtures.clusterId;
import static io.strata.raft.transport.TransportFixtures.options;
import static io.strata.raft.transport.TransportFixtures.urlsOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.strata.raft.MemoryRaftStorage;
import io.strata.raft.RaftConfig;
import io.strata.raft.RaftNode;
import io.strata.raft.RaftRole;
import io.strata.raft.Ready;
import io.strata.raft.proto.ConfState;
import io.strata.raft.proto.Entry;
import io.strata.raft.proto.EntryType;
import io.strata.raft.proto.Message;
import io.strata.raft.proto.Snapshot;
import io.strata.raft.proto.SnapshotMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Three real Raft cores, each driven by a small loop thread, talking over real transports. */
@Timeout(60)
class RaftOverTransportTest {
  private static final long tickMillis = 10;

  /** One member: the core, its storage, a transport, and the thread that drives them. */
  static final class LoopMember implements MessageHandler, AutoCloseable {
    final long id;
    final RaftNode node;
    final MemoryRaftStorage storage = new MemoryRaftStorage();
    final BlockingQueue<Runnable> inbox = new LinkedBlockingQueue<>();
    final List<ByteString> applied = new CopyOnWriteArrayList<>();
    volatile long leader;
    volatile RaftRole role = RaftRole.FOLLOWER;
    PeerTransport transport;
    private final Thread thread;
    private volatile boolean running = true;

    LoopMember(long id, ConfState voters) throws Exception {
      this.id = id;
      storage.applySnapshot(Snapshot.newBuilder()
          .setMetadata(SnapshotMetadata.newBuilder().setConfState(voters)).build());
      node = new RaftNode(new RaftConfig(id, 10, 1, 1024 * 1024, 256, true, true, 0), storage, new Random(id));
      transport = new PeerTransport(options(id, clusterId, 0), this);
      transport.start();
      thread = new Thread(this::run, "raft-loop-" + id);
      thread.setDaemon(true);
    }

    @Override
    public void receive(Message message) {
      inbox.add(() -> node.step(message));
    }

    @Override
    public void unreachable(long peerId) {
      inbox.add(() -> node.reportUnreachable(peerId));
    }

    @Override
    public void snapshotStatus(long peerId, boolean failed) {
      inbox.add(() -> node.reportSnapshot(peerId, failed));
    }

    void propose(ByteString data) {
      inbox.add(() -> node.propose(List.of(data)));
    }

    private void run() {
      long nextTickNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(tickMillis);
      try {
        while (running) {
          Runnable input = inbox.poll(Math.max(0, nextTickNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
          while (input != null) {
            input.run();
            input = inbox.poll();
          }
          if (System.nanoTime() >= nextTickNanos) {
            node.tick();
            nextTickNanos += TimeUnit.MILLISECONDS.toNanos(tickMillis);
          }
          while (node.hasReady()) {
            handle(node.ready());
          }
        }
      } catch (InterruptedException e) {
        // closing
      }
    }

    private void handle(Ready rd) {
      if (rd.softState() != null) {
        leader = rd.softState().leader();
        role = rd.softState().role();
      }
      if (rd.snapshot() != null) {
        storage.applySnapshot(rd.snapshot());
      }
      if (rd.hardState() != null) {
        storage.setHardState(rd.hardState());
      }
      storage.append(rd.entries());
      transport.send(rd.messages());
      for (Entry e : rd.committedEntries()) {
        if (e.getType() == EntryType.ENTRY_NORMAL && !e.getData().isEmpty()) {
          applied.add(e.getData());
        }
      }
      node.advance(rd);
    }

    @Override
    public void close() {
      running = false;
      thread.interrupt();
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      transport.close();
    }
  }

  private final List<LoopMember> members = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (LoopMember m : members) {
      m.close();
    }
  }

  @Test
  void threeMembersElectALeaderAndCommitProposals() throws Exception {
    ConfState voters = ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3).build();
    for (long id = 1; id <= 3; id++) {
      members.add(new LoopMember(id, voters));
    }
    for (LoopMember m : members) {
      for (LoopMember peer : members) {
        if (peer != m) {
          m.transport.addPeer(peer.id, urlsOf(peer.transport));
        }
      }
    }
    members.forEach(m -> m.thread.start());

    await("a leader is elected and known to all", () -> {
      long leader = members.get(0).leader;
      return leader != 0 && members.stream().allMatch(m -> m.leader == leader);
    });
    LoopMember leader = members.stream().filter(m -> m.role == RaftRole.LEADER).findFirst().orElseThrow();

    List<ByteString> proposed = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      ByteString data = ByteString.copyFromUtf8("value-" + i);
      proposed.add(data);
      leader.propose(data);
    }
    await("every member applied every proposal", () -> members.stream().allMatch(m -> m.applied.size() >= 100));
    for (LoopMember m : members) {
      assertThat(m.applied).containsExactlyElementsOf(proposed);
    }
    for (LoopMember m : members) {
      for (LoopMember peer : members) {
        if (peer != m) {
          assertThat(m.transport.isActive(peer.id)).isTrue();
        }
      }
    }
  }
}
