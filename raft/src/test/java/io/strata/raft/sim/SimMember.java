package io.strata.raft.sim;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.strata.raft.MemoryRaftStorage;
import io.strata.raft.RaftConfig;
import io.strata.raft.RaftNode;
import io.strata.raft.RaftRole;
import io.strata.raft.RaftStatus;
import io.strata.raft.Ready;
import io.strata.raft.proto.ConfChange;
import io.strata.raft.proto.Entry;
import io.strata.raft.proto.EntryType;
import io.strata.raft.proto.Message;
import io.strata.raft.proto.Snapshot;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One simulated server: the real {@link RaftNode}, its storage and disk, and a state machine that
 * folds applied entries into a digest. It handles Readies exactly as the contract says: persist,
 * then send, then apply, then advance.
 */
final class SimMember {
  final long id;
  private final RaftConfig baseConfig;
  private final Random random;
  private final SafetyChecker checker;
  final SimDisk disk;
  MemoryRaftStorage storage;
  RaftNode node;
  boolean up = true;
  RaftRole role = RaftRole.FOLLOWER;
  // The state machine: a digest of every applied entry, and the index it reflects.
  long digest;
  long appliedIndex;

  SimMember(long id, RaftConfig config, Snapshot bootstrap, Random random, SafetyChecker checker) {
    this.id = id;
    this.baseConfig = config;
    this.random = random;
    this.checker = checker;
    this.disk = new SimDisk(bootstrap);
    start();
  }

  private void start() {
    storage = disk.recover();
    Snapshot snap = storage.snapshot();
    appliedIndex = snap.getMetadata().getIndex();
    digest = snap.getData().isEmpty() ? 0 : snap.getData().asReadOnlyByteBuffer().getLong();
    RaftConfig c = baseConfig;
    RaftConfig config = new RaftConfig(c.id(), c.electionTicks(), c.heartbeatTicks(), c.maxSizePerMsgBytes(),
        c.maxInflightMsgs(), c.preVote(), c.checkQuorum(), appliedIndex, c.maxInflightBytes());
    node = new RaftNode(config, storage, new Random(random.nextLong()));
    role = RaftRole.FOLLOWER;
    up = true;
  }

  void crash() {
    disk.crash();
    up = false;
    node = null;
    storage = null;
  }

  void restart() {
    start();
  }

  /** Handles one Ready, if there is one; returns the messages to send (null if none). */
  List<Message> processReady() {
    if (!node.hasReady()) {
      return null;
    }
    Ready rd = node.ready();
    if (rd.snapshot() != null) {
      storage.applySnapshot(rd.snapshot());
      disk.writeSnapshot(rd.snapshot());
    }
    if (rd.hardState() != null) {
      storage.setHardState(rd.hardState());
      disk.writeHardState(rd.hardState(), rd.mustSync());
    }
    storage.append(rd.entries());
    disk.writeEntries(rd.entries());
    checker.onPersisted(this, rd.entries());
    if (rd.softState() != null) {
      role = rd.softState().role();
    }
    RaftStatus status = node.status();
    checker.onStatus(this, status);
    if (rd.softState() != null && rd.softState().role() == RaftRole.LEADER) {
      checker.onBecameLeader(this, status.term());
    }
    if (rd.snapshot() != null) {
      long index = rd.snapshot().getMetadata().getIndex();
      digest = rd.snapshot().getData().asReadOnlyByteBuffer().getLong();
      appliedIndex = index;
      checker.onSnapshotInstalled(this, index, digest);
    }
    for (Entry e : rd.committedEntries()) {
      apply(e);
    }
    List<Message> out = new ArrayList<>(rd.messages());
    node.advance(rd);
    return out;
  }

  private void apply(Entry e) {
    if (e.getIndex() != appliedIndex + 1) {
      throw new AssertionError("member " + id + " applies index " + e.getIndex() + " after " + appliedIndex);
    }
    digest = digest * 1_000_003 + e.getTerm() * 31 + e.getData().hashCode() + e.getType().getNumber();
    appliedIndex = e.getIndex();
    checker.onApplied(this, e, digest);
    if (e.getType() == EntryType.ENTRY_CONF_CHANGE) {
      try {
        node.applyConfChange(ConfChange.parseFrom(e.getData()));
      } catch (InvalidProtocolBufferException ex) {
        throw new AssertionError(ex);
      }
    }
  }

  /** Takes a snapshot of the state machine and drops the log before it, keeping a short tail. */
  void snapshotAndCompact(int keepEntries) {
    long index = appliedIndex;
    if (index <= storage.snapshot().getMetadata().getIndex()) {
      return;
    }
    ByteString data = ByteString.copyFrom(ByteBuffer.allocate(8).putLong(0, digest));
    Snapshot snap = storage.createSnapshot(index, node.status().confState(), data);
    long compactTo = index - keepEntries;
    if (compactTo > storage.firstIndex()) {
      storage.compact(compactTo);
    }
    disk.snapshotAndCompact(snap, compactTo);
  }
}
