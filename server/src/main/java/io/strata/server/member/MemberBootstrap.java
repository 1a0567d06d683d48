package io.strata.server.member;

import io.strata.api.serverpb.MemberRecord;
import io.strata.api.serverpb.WalMetadata;
import io.strata.mvcc.LeaseLookup;
import io.strata.mvcc.MvccOptions;
import io.strata.mvcc.MvccStore;
import io.strata.raft.MemoryRaftStorage;
import io.strata.raft.RaftConfig;
import io.strata.raft.RaftNode;
import io.strata.raft.proto.ConfState;
import io.strata.raft.proto.Snapshot;
import io.strata.raft.proto.SnapshotMetadata;
import io.strata.raft.wal.SnapshotFiles;
import io.strata.raft.wal.Wal;
import io.strata.raft.wal.WalOptions;
import io.strata.raft.wal.WalRecovery;
import io.strata.server.apply.ApplyLoop;
import io.strata.server.apply.PendingRequests;
import io.strata.server.apply.StateMachine;
import io.strata.server.apply.StateSnapshot;
import io.strata.server.watch.HeaderSource;
import io.strata.server.watch.WatchHub;
import io.strata.server.watch.WatchOptions;
import io.strata.api.etcdserverpb.ResponseHeader;
import io.strata.lease.Lessor;
import io.strata.lease.LessorOptions;
import io.strata.server.cluster.MemberIds;
import io.strata.server.cluster.ClusterMembers;
import io.strata.server.cluster.JoinDiscovery;
import io.strata.server.raftnode.EtcdServerException;
import io.strata.server.raftnode.RaftLoop;
import io.strata.raft.proto.Message;
import io.strata.raft.transport.MessageHandler;
import io.strata.raft.transport.PeerTransport;
import io.strata.raft.transport.TransportOptions;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a member up from its data directory: a new member writes its identity into a fresh
 * WAL; a restarted one reads it back, restores the newest snapshot and lets Raft replay the WAL
 * entries after it. The revision store lives only in memory, so this path is the same after a
 * clean stop and after {@code kill -9}: the WAL and the snapshot files are the only truth.
 */
public final class MemberBootstrap {
  private static final Logger log = LoggerFactory.getLogger(MemberBootstrap.class);

  /** Entries kept behind a snapshot so that a slightly slow follower catches up from the log. */
  static final long snapshotCatchUpEntries = 5_000;
  static final long maxSizePerMsgBytes = 1024 * 1024;
  static final int maxInflightMsgs = 4096 / 8;
  static final long expectedEntries = 1_000_000;
  static final long retiredStoreGraceMillis = 60_000;
  /** How long a joining member waits for the cluster's members to contact it. */
  static final long joinDiscoveryTimeoutMillis = 60_000;
  /**
   * How soon a member dials a peer again after a failed dial. A member added at run time is
   * dialled from the moment the change is applied, seconds before its process listens; with a
   * longer ceiling the cluster found it (and the leader sent it its snapshot) up to that long
   * after it came up. etcd redials a peer's streams every 100 ms; a refused dial costs little.
   */
  static final Duration reconnectBackoffMin = Duration.ofMillis(50);
  static final Duration reconnectBackoffMax = Duration.ofMillis(100);

  private MemberBootstrap() {}

  public static LocalMember start(MemberOptions options, WatchOptions watchOptions) throws Exception {
    Files.createDirectories(options.snapDir());
    Files.createDirectories(options.effectiveWalDir().getParent());
    SnapshotFiles snapshots = new SnapshotFiles(options.snapDir());
    MemoryRaftStorage storage = new MemoryRaftStorage();
    Lessor[] lessorRef = new Lessor[1];
    LeaseLookup leases = id -> lessorRef[0].exists(id);
    MvccOptions mvccOptions = new MvccOptions(expectedEntries, leases);
    long heartbeatMillis = options.heartbeatInterval().toMillis();
    int electionTicks = (int) Math.max(2, options.electionTimeout().toMillis() / heartbeatMillis);
    LessorOptions lessorOptions = new LessorOptions(
        LessorOptions.minTtlSeconds(electionTicks, heartbeatMillis), LessorOptions.DEFAULT_MAX_EXPIRED_PER_CALL,
        LessorOptions.DEFAULT_CHECKPOINT_INTERVAL_MILLIS);

    Wal wal;
    WalMetadata metadata;
    ClusterMembers members;
    MvccStore store;
    Lessor lessor;
    ConfState confState;
    if (Wal.exists(options.effectiveWalDir())) {
      wal = Wal.open(options.effectiveWalDir(), WalOptions.defaults());
      WalRecovery recovered = wal.recovered();
      metadata = WalMetadata.parseFrom(recovered.metadata());
      members = new ClusterMembers(metadata.getClusterId(), metadata.getMemberId(), metadata.getInitialMembersList());
      Optional<Snapshot> snapshot = snapshots.loadNewest(recovered.snapshotIndex());
      if (snapshot.isPresent()) {
        Snapshot snap = snapshot.get();
        lessor = new Lessor(lessorOptions);
        store = StateSnapshot.read(snap.getData(), mvccOptions, lessor, members, Monotonic.millis());
        storage.applySnapshot(snap);
        confState = snap.getMetadata().getConfState();
      } else {
        store = MvccStore.open(mvccOptions);
        lessor = new Lessor(lessorOptions);
        confState = bootstrapConfState(metadata);
        storage.applySnapshot(bootstrapSnapshot(confState));
      }
      if (recovered.hardState() != null) {
        storage.setHardState(recovered.hardState());
      }
      storage.append(recovered.entries());
      log.info("restarting member {} in cluster {} at commit index {}; {} WAL entries to replay after applied index {}",
          MemberIds.hex(metadata.getMemberId()), MemberIds.hex(metadata.getClusterId()),
          storage.hardState().getCommit(), recovered.entries().size(), store.consistentIndex());
    } else {
      // Opening the first revision store of a process is seconds of class loading and run-time
      // compilation, and a joining member spends about as long waiting for the cluster to call;
      // the two overlap.
      StoreOpening opening = StoreOpening.start(mvccOptions);
      try {
        metadata = options.newCluster() ? newClusterMetadata(options) : joiningMetadata(options);
        wal = Wal.create(options.effectiveWalDir(), WalOptions.defaults(), metadata.toByteString());
      } catch (Exception | Error e) {
        opening.discard();
        throw e;
      }
      store = opening.await();
      lessor = new Lessor(lessorOptions);
      members = new ClusterMembers(metadata.getClusterId(), metadata.getMemberId(), metadata.getInitialMembersList());
      confState = bootstrapConfState(metadata);
      storage.applySnapshot(bootstrapSnapshot(confState));
      log.info("starting a new member {} in cluster {}", MemberIds.hex(metadata.getMemberId()), MemberIds.hex(metadata.getClusterId()));
    }

    lessorRef[0] = lessor;
    ClusterMembers membership = members;
    RaftConfig raftConfig = new RaftConfig(
        membership.localMemberId(), electionTicks, 1, maxSizePerMsgBytes, maxInflightMsgs, true, true, store.consistentIndex());
    RaftNode node = new RaftNode(raftConfig, storage, new Random(new SecureRandom().nextLong()));

    PendingRequests pending = new PendingRequests(membership.localMemberId(), System.currentTimeMillis());
    RaftLoop[] raftRef = new RaftLoop[1];
    HeaderSource headers = revision -> ResponseHeader.newBuilder()
        .setClusterId(membership.clusterId())
        .setMemberId(membership.localMemberId())
        .setRevision(revision)
        .setRaftTerm(raftRef[0].term())
        .build();
    WatchHub[] hubRef = new WatchHub[1];
    RevisionFanOut revisions = new RevisionFanOut();
    StateMachine state = new StateMachine(store, lessor, membership, mvccOptions, rev -> hubRef[0].onCompacted(rev), Monotonic::millis,
        (previous, current) -> {
          current.setEventListener(revisions);
          hubRef[0].onRestored(current.currentRevision());
          retire(previous);
        });
    WatchHub watches = new WatchHub(new StoreEventHistory(state::store), headers, watchOptions);
    hubRef[0] = watches;
    revisions.add(watches::onRevision);
    store.setEventListener(revisions);
    ApplyLoop apply = new ApplyLoop(state, membership.localMemberId(), pending, options.snapshotCountEntries(),
        (index, baseIndex) -> raftRef[0].snapshotStarted(index, baseIndex, snapshotCatchUpEntries));
    apply.setConfChangeSink(cc -> raftRef[0].applyConfChange(cc).get());
    if (metadata.getJoinedExisting() && store.consistentIndex() == 0) {
      apply.requireSnapshotFirst();
    }
    LocalMember[] memberRef = new LocalMember[1];
    long extendMillis = options.electionTimeout().toMillis();
    PeerTransport transport = new PeerTransport(
        TransportOptions.defaults(membership.localMemberId(), membership.clusterId(), options.listenPeerUrls())
            .withReconnectBackoff(reconnectBackoffMin, reconnectBackoffMax),
        new MessageHandler() {
          @Override
          public void receive(Message message) {
            raftRef[0].receive(message);
          }

          @Override
          public void unreachable(long peerId) {
            raftRef[0].submit(n -> n.reportUnreachable(peerId));
          }

          @Override
          public void snapshotStatus(long peerId, boolean failed) {
            raftRef[0].submit(n -> n.reportSnapshot(peerId, failed));
          }

          @Override
          public void peerGone(long peerId) {
            raftRef[0].peerGone(peerId);
          }

          @Override
          public void removedFromCluster(long refusingPeerId) {
            log.warn("a peer refused this member as removed from the cluster: remote-peer-id={}", MemberIds.hex(refusingPeerId));
            if (memberRef[0] != null) {
              memberRef[0].stopAfterRemoval();
            }
          }
        });
    PeerSync peerSync = new PeerSync(transport, membership.localMemberId());
    peerSync.sync(membership.members());
    membership.addListener(m -> {
      peerSync.sync(m.members());
      if (m.isRemoved(m.localMemberId()) && memberRef[0] != null) {
        memberRef[0].stopAfterRemoval();
      }
    });
    RaftLoop raft = new RaftLoop(node, storage, wal, snapshots, apply, transport::send, confState, heartbeatMillis,
        new RaftLoop.LeadershipListener() {
          @Override
          public void leading(boolean leader) {
            if (leader) {
              lessor.promote(Monotonic.millis(), extendMillis);
            } else {
              lessor.demote();
            }
          }

          @Override
          public void leaderChanged(long previous, long current) {
            if (previous != 0) {
              // Proposals handed to a leader that is gone may never commit; tell their callers
              // now, as etcd does, instead of letting them wait out the request timeout. Their
              // outcome is unknown either way, which is what the error says.
              pending.failAll(EtcdServerException.timedOutDueToLeaderFail());
            }
          }
        });
    raftRef[0] = raft;
    ExecutorService reads = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
      Thread t = new Thread(r, "linearizable-read");
      t.setDaemon(true);
      return t;
    });
    apply.start();
    transport.start();
    if (membership.voterIds().size() == 1 && membership.voterIds().get(0) == membership.localMemberId()) {
      // A lone voter needs no election timeout to find out that nobody else will vote.
      raft.submit(RaftNode::campaign);
    }
    raft.start();
    LocalMember member = new LocalMember(membership, state, watches, revisions, raft, apply, transport, pending, wal,
        options.maxRequestBytes(), options.requestTimeout(), reads);
    memberRef[0] = member;
    member.publish(options.name(), options.advertiseClientUrls());
    return member;
  }

  /**
   * Closes a store replaced by a snapshot once the reads that were running on it have had time
   * to finish; closing frees its off-heap memory.
   */
  private static void retire(MvccStore previous) {
    Thread t = new Thread(() -> {
      try {
        Thread.sleep(retiredStoreGraceMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      previous.close();
    }, "retire-store");
    t.setDaemon(true);
    t.start();
  }

  private static WalMetadata newClusterMetadata(MemberOptions options) {
    List<MemberRecord> members = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : options.initialCluster().entrySet()) {
      MemberRecord.Builder m = MemberRecord.newBuilder()
          .setId(MemberIds.memberId(e.getValue(), options.clusterToken()))
          .setName(e.getKey())
          .addAllPeerUrls(e.getValue());
      // Client URLs are not part of the bootstrap record: every member would record only its
      // own, and the replicated state would differ between members. Each publishes them.
      members.add(m.build());
    }
    MemberRecord local = members.stream()
        .filter(m -> m.getName().equals(options.name()))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException(
            "couldn't find local name \"" + options.name() + "\" in the initial cluster configuration"));
    long clusterId = MemberIds.clusterId(members.stream().map(MemberRecord::getId).toList());
    return WalMetadata.newBuilder()
        .setMemberId(local.getId())
        .setClusterId(clusterId)
        .addAllInitialMembers(members)
        .build();
  }

  /**
   * The identity of a member joining a running cluster, learnt from the members that contact
   * it (see {@link JoinDiscovery}). Its Raft configuration starts empty: the leader's snapshot
   * brings the configuration and the membership.
   */
  private static WalMetadata joiningMetadata(MemberOptions options) throws Exception {
    List<String> ownUrls = options.initialCluster().get(options.name());
    if (ownUrls == null) {
      throw new IllegalArgumentException(
          "couldn't find local name \"" + options.name() + "\" in the initial cluster configuration");
    }
    JoinDiscovery.Found found = JoinDiscovery.discover(options.listenPeerUrls(), options.name(), options.initialCluster(),
        options.clusterToken(), System.currentTimeMillis() / 1000, joinDiscoveryTimeoutMillis);
    WalMetadata.Builder metadata = WalMetadata.newBuilder()
        .setMemberId(found.localId())
        .setClusterId(found.clusterId())
        .setJoinedExisting(true)
        .addInitialMembers(MemberRecord.newBuilder().setId(found.localId()).addAllPeerUrls(ownUrls).setIsLearner(true));
    found.peers().forEach((id, urls) -> metadata.addInitialMembers(MemberRecord.newBuilder().setId(id).addAllPeerUrls(urls)));
    return metadata.build();
  }

  private static ConfState bootstrapConfState(WalMetadata metadata) {
    ConfState.Builder cs = ConfState.newBuilder();
    if (metadata.getJoinedExisting()) {
      return cs.build();
    }
    for (MemberRecord m : metadata.getInitialMembersList()) {
      if (m.getIsLearner()) {
        cs.addLearners(m.getId());
      } else {
        cs.addVoters(m.getId());
      }
    }
    return cs.build();
  }

  private static Snapshot bootstrapSnapshot(ConfState confState) {
    return Snapshot.newBuilder()
        .setMetadata(SnapshotMetadata.newBuilder().setConfState(confState))
        .build();
  }

}
