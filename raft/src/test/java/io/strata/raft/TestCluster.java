package io.strata.raft;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.strata.raft.proto.ConfChange;
import io.strata.raft.proto.ConfState;
import io.strata.raft.proto.Entry;
import io.strata.raft.proto.EntryType;
import io.strata.raft.proto.Message;
import io.strata.raft.proto.MessageType;
import io.strata.raft.proto.Snapshot;
import io.strata.raft.proto.SnapshotMetadata;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A tiny in-test network of real {@link RaftNode}s: it persists and applies each Ready the way
 * the server does, and delivers messages in order unless a filter drops them.
 */
final class TestCluster {
  static final class Member {
    final long id;
    final MemoryRaftStorage storage;
    RaftNode node;
    final List<Entry> applied = new ArrayList<>();
    final List<ReadState> readStates = new ArrayList<>();
    SoftState softState = new SoftState(0, RaftRole.FOLLOWER);
    // While the disk is stalled, Readies are accepted and their writes (with the messages that
    // wait for them) queue here until released.
    boolean diskStalled;
    final ArrayDeque<Ready> pendingWrites = new ArrayDeque<>();
    final ArrayDeque<List<Message>> heldBack = new ArrayDeque<>();

    Member(long id, MemoryRaftStorage storage) {
      this.id = id;
      this.storage = storage;
    }

    List<ByteString> appliedData() {
      List<ByteString> data = new ArrayList<>();
      for (Entry e : applied) {
        if (e.getType() == EntryType.ENTRY_NORMAL && !e.getData().isEmpty()) {
          data.add(e.getData());
        }
      }
      return data;
    }
  }

  final TreeMap<Long, Member> members = new TreeMap<>();
  final ArrayDeque<Message> inFlight = new ArrayDeque<>();
  final List<Message> delivered = new ArrayList<>();
  private final Set<Long> isolated = new HashSet<>();
  private Predicate<Message> drop = m -> false;
  private final boolean preVote;
  private final boolean checkQuorum;
  private long seed = 1;

  TestCluster(boolean preVote, boolean checkQuorum) {
    this.preVote = preVote;
    this.checkQuorum = checkQuorum;
  }

  /** A new cluster whose voters are 1..n. */
  static TestCluster ofVoters(int n) {
    return ofVoters(n, false, false);
  }

  static TestCluster ofVoters(int n, boolean preVote, boolean checkQuorum) {
    TestCluster c = new TestCluster(preVote, checkQuorum);
    ConfState.Builder cs = ConfState.newBuilder();
    for (long id = 1; id <= n; id++) {
      cs.addVoters(id);
    }
    for (long id = 1; id <= n; id++) {
      c.addMember(id, cs.build());
    }
    return c;
  }

  static RaftConfig config(long id, boolean preVote, boolean checkQuorum) {
    return new RaftConfig(id, 10, 1, 1024 * 1024, 256, preVote, checkQuorum, 0);
  }

  /** Starts a member bootstrapped with {@code cs}; an empty ConfState makes a joining member. */
  Member addMember(long id, ConfState cs) {
    MemoryRaftStorage storage = new MemoryRaftStorage();
    storage.applySnapshot(Snapshot.newBuilder()
        .setMetadata(SnapshotMetadata.newBuilder().setConfState(cs)).build());
    Member m = new Member(id, storage);
    m.node = new RaftNode(config(id, preVote, checkQuorum), storage, new java.util.Random(seed++));
    members.put(id, m);
    return m;
  }

  Member member(long id) {
    return members.get(id);
  }

  RaftNode node(long id) {
    return members.get(id).node;
  }

  void isolate(long id) {
    isolated.add(id);
  }

  void heal() {
    isolated.clear();
    drop = m -> false;
  }

  void dropIf(Predicate<Message> filter) {
    drop = filter;
  }

  /** Handles one Ready of member {@code id}, if it has one; returns whether it did. */
  boolean processReady(long id) {
    Member m = members.get(id);
    if (!m.node.hasReady()) {
      return false;
    }
    Ready rd = m.node.ready();
    if (rd.softState() != null) {
      m.softState = rd.softState();
    }
    boolean async = m.diskStalled || !m.pendingWrites.isEmpty();
    if (!async) {
      persist(m, rd);
      inFlight.addAll(rd.messages());
    } else {
      List<Message> held = new ArrayList<>();
      for (Message msg : rd.messages()) {
        (RaftNode.waitsForPersistence(msg.getType()) ? held : inFlight).add(msg);
      }
      m.pendingWrites.add(rd);
      m.heldBack.add(held);
    }
    m.readStates.addAll(rd.readStates());
    for (Entry e : rd.committedEntries()) {
      m.applied.add(e);
      if (e.getType() == EntryType.ENTRY_CONF_CHANGE) {
        try {
          m.node.applyConfChange(ConfChange.parseFrom(e.getData()));
        } catch (InvalidProtocolBufferException ex) {
          throw new AssertionError(ex);
        }
      }
    }
    if (async) {
      m.node.accept(rd);
    } else {
      m.node.advance(rd);
    }
    return true;
  }

  private static void persist(Member m, Ready rd) {
    if (rd.snapshot() != null) {
      m.storage.applySnapshot(rd.snapshot());
    }
    if (rd.hardState() != null) {
      m.storage.setHardState(rd.hardState());
    }
    m.storage.append(rd.entries());
  }

  /** From now on, member {@code id}'s writes do not finish until {@link #releaseDisk}. */
  void stallDisk(long id) {
    members.get(id).diskStalled = true;
  }

  /** Finishes member {@code id}'s stalled writes in order and sends what waited for them. */
  void releaseDisk(long id) {
    Member m = members.get(id);
    m.diskStalled = false;
    while (!m.pendingWrites.isEmpty()) {
      Ready rd = m.pendingWrites.pollFirst();
      persist(m, rd);
      m.node.persisted(rd);
      inFlight.addAll(m.heldBack.pollFirst());
    }
  }

  /** Delivers one message; returns false if none was in flight. */
  boolean deliverOne() {
    Message msg = inFlight.pollFirst();
    if (msg == null) {
      return false;
    }
    Member to = members.get(msg.getTo());
    if (to == null || isolated.contains(msg.getTo()) || isolated.contains(msg.getFrom()) || drop.test(msg)) {
      if (msg.getType() == MessageType.MSG_SNAP && members.containsKey(msg.getFrom())) {
        members.get(msg.getFrom()).node.reportSnapshot(msg.getTo(), true);
      }
      return true;
    }
    delivered.add(msg);
    to.node.step(msg);
    if (msg.getType() == MessageType.MSG_SNAP) {
      members.get(msg.getFrom()).node.reportSnapshot(msg.getTo(), false);
    }
    return true;
  }

  /** Runs Readies and deliveries until nothing is left to do. */
  void stabilize() {
    for (int rounds = 0; rounds < 100_000; rounds++) {
      boolean busy = false;
      for (long id : members.keySet()) {
        busy |= processReady(id);
      }
      while (deliverOne()) {
        busy = true;
      }
      if (!busy) {
        return;
      }
    }
    throw new AssertionError("cluster did not stabilize");
  }

  void tickAll(int ticks) {
    for (int i = 0; i < ticks; i++) {
      for (Member m : members.values()) {
        m.node.tick();
      }
      stabilize();
    }
  }

  /** Elects {@code id} by letting it campaign and exchanging messages until quiet. */
  void elect(long id) {
    node(id).campaign();
    stabilize();
  }

  void propose(long leader, String... data) {
    List<ByteString> batch = new ArrayList<>();
    for (String d : data) {
      batch.add(ByteString.copyFromUtf8(d));
    }
    if (!node(leader).propose(batch)) {
      throw new AssertionError("proposal refused by " + leader);
    }
    stabilize();
  }

  static List<ByteString> bytes(String... data) {
    List<ByteString> out = new ArrayList<>();
    for (String d : data) {
      out.add(ByteString.copyFromUtf8(d));
    }
    return out;
  }

  /** A single member, not wired to any network, for tests that step hand-made messages. */
  static final class Solo {
    final RaftNode node;
    final MemoryRaftStorage storage;

    Solo(RaftNode node, MemoryRaftStorage storage) {
      this.node = node;
      this.storage = storage;
    }

    /** Persists the member's Ready as the server would and returns the messages it would send. */
    List<Message> drain() {
      List<Message> out = new ArrayList<>();
      while (node.hasReady()) {
        Ready rd = node.ready();
        if (rd.snapshot() != null) {
          storage.applySnapshot(rd.snapshot());
        }
        if (rd.hardState() != null) {
          storage.setHardState(rd.hardState());
        }
        storage.append(rd.entries());
        out.addAll(rd.messages());
        node.advance(rd);
      }
      return out;
    }
  }

  /**
   * A single member whose log holds entries with the given terms at indexes 1, 2, ... and whose
   * persisted term is {@code term}.
   */
  static Solo standalone(long id, List<Long> voters, long term, long... entryTerms) {
    MemoryRaftStorage storage = new MemoryRaftStorage();
    storage.applySnapshot(Snapshot.newBuilder()
        .setMetadata(SnapshotMetadata.newBuilder().setConfState(ConfState.newBuilder().addAllVoters(voters))).build());
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < entryTerms.length; i++) {
      entries.add(Entry.newBuilder().setIndex(i + 1).setTerm(entryTerms[i]).build());
    }
    storage.append(entries);
    storage.setHardState(io.strata.raft.proto.HardState.newBuilder().setTerm(term).build());
    return new Solo(new RaftNode(config(id, false, false), storage, new java.util.Random(id)), storage);
  }
}
