package io.strata.server.member;

import com.google.protobuf.ByteString;
import io.strata.api.etcdserverpb.ResponseHeader;
import io.strata.api.serverpb.InternalRequest;
import io.strata.mvcc.MvccStore;
import io.strata.server.apply.ApplyLoop;
import io.strata.server.apply.PendingRequests;
import io.strata.server.apply.StateMachine;
import io.strata.server.watch.WatchHub;
import io.strata.lease.Lessor;
import io.strata.api.serverpb.MemberAttributes;
import io.strata.api.serverpb.MemberRecord;
import io.strata.server.cluster.ClusterMembers;
import io.strata.server.raftnode.EtcdServerException;
import io.strata.server.raftnode.RaftLoop;
import io.strata.raft.transport.PeerTransport;
import io.strata.raft.wal.Wal;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This member of the cluster as the request handlers see it: writes go through Raft and
 * complete when applied, linearizable reads wait for a ReadIndex round, and every response
 * header carries the cluster's and this member's identity.
 */
public final class LocalMember implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalMember.class);

  /**
   * etcd refuses new proposals when apply falls this far behind commit, instead of queueing
   * without bound.
   */
  static final long maxApplyLagEntries = 5_000;

  private final ClusterMembers membership;
  private final StateMachine state;
  private final WatchHub watches;
  private final RevisionFanOut revisions;
  private final RaftLoop raft;
  private final ApplyLoop apply;
  private final PeerTransport transport;
  private final PendingRequests pending;
  private final Wal wal;
  private final long maxRequestBytes;
  private final Duration requestTimeout;
  private final Executor reads;
  private final PeerActivity peerActivity;
  private final Reconfiguration reconfiguration;
  private final RequestDeadlines deadlines;
  private final CompletableFuture<Void> published = new CompletableFuture<>();
  /** Completed on a thread of its own once this member has stopped taking part after its removal. */
  private final CompletableFuture<Void> removed = new CompletableFuture<>();
  /** Set by the first report of this member's removal; later reports change nothing. */
  private final AtomicBoolean removalSeen = new AtomicBoolean();
  private volatile boolean closed;

  LocalMember(
      ClusterMembers membership,
      StateMachine state,
      WatchHub watches,
      RevisionFanOut revisions,
      RaftLoop raft,
      ApplyLoop apply,
      PeerTransport transport,
      PendingRequests pending,
      Wal wal,
      long maxRequestBytes,
      Duration requestTimeout,
      Executor reads) {
    this.membership = membership;
    this.state = state;
    this.watches = watches;
    this.revisions = revisions;
    this.raft = raft;
    this.apply = apply;
    this.transport = transport;
    this.pending = pending;
    this.wal = wal;
    this.maxRequestBytes = maxRequestBytes;
    this.requestTimeout = requestTimeout;
    this.reads = reads;
    this.peerActivity = new PeerActivity(transport::isActive, () -> membership.members().stream()
        .map(MemberRecord::getId).filter(id -> id != membership.localMemberId()).toList());
    this.peerActivity.start();
    this.reconfiguration = new Reconfiguration(membership, raft, peerActivity, pending, requestTimeout, reads);
    this.deadlines = RequestDeadlines.started(requestTimeout, deadlineSweepInterval(requestTimeout));
  }

  /** The cluster's members as applied on this member. */
  public ClusterMembers membership() {
    return membership;
  }

  /** Adds a member (etcd's MemberAdd); completes with the new member and the membership after it. */
  public CompletableFuture<AddedMember> addMember(List<String> peerUrls, boolean learner) {
    return reconfiguration.add(peerUrls, learner).thenApply(a -> new AddedMember(a.member(), a.members()));
  }

  /** The member added by {@link #addMember}, and the membership right after. */
  public record AddedMember(MemberRecord member, List<MemberRecord> members) {}

  public CompletableFuture<List<MemberRecord>> removeMember(long id) {
    return reconfiguration.remove(id);
  }

  public CompletableFuture<List<MemberRecord>> updateMember(long id, List<String> peerUrls) {
    return reconfiguration.update(id, peerUrls);
  }

  public CompletableFuture<List<MemberRecord>> promoteMember(long id) {
    return reconfiguration.promote(id);
  }

  /** The membership; with {@code linearizable}, as of a ReadIndex taken now. */
  public CompletableFuture<List<MemberRecord>> listMembers(boolean linearizable) {
    if (!linearizable) {
      return CompletableFuture.completedFuture(membership.members());
    }
    return linearizableRead(membership::members);
  }

  /** etcd's MoveLeader: only on the leader, to a voting member; completes once it leads. */
  public CompletableFuture<Void> moveLeader(long targetId) {
    return reconfiguration.moveLeader(targetId);
  }

  /** Completes when this member learns that the cluster removed it; it then no longer takes part. */
  public CompletableFuture<Void> removedFromCluster() {
    return removed;
  }

  /**
   * The pause between attempts to publish. A member that joins a running cluster fails its first
   * attempts (no leader yet, then the snapshot still installing) and serves clients only once an
   * attempt succeeds, so the pause is short: a failed attempt costs next to nothing.
   */
  static final long publishRetryMillis = 50;

  /**
   * Announces this member's name and client URLs through Raft, retrying until it is applied,
   * as etcd's publish does; until then other members list it without them.
   */
  void publish(String name, List<String> clientUrls) {
    MemberAttributes attributes = MemberAttributes.newBuilder()
        .setMemberId(membership.localMemberId()).setName(name).addAllClientUrls(clientUrls).build();
    Thread t = new Thread(() -> {
      while (!closed && !removalSeen.get()) {
        try {
          write(InternalRequest.newBuilder().setMemberAttributes(attributes)).get();
          log.info("published local member to cluster through raft: name={} client-urls={}", name, clientUrls);
          published.complete(null);
          return;
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          try {
            Thread.sleep(publishRetryMillis);
          } catch (InterruptedException ie) {
            return;
          }
        }
      }
    }, "publish-member");
    t.setDaemon(true);
    t.start();
  }

  /** How long a removed member's Raft keeps running before it stops (etcd: ten 100 ms ticks). */
  static final long removedMemberGraceMillis = 1_000;

  /**
   * Stops taking part in the cluster after the cluster removed this member. The removal is
   * reported on the apply thread or a transport thread, so whoever waits on
   * {@link #removedFromCluster} is told on a thread of its own: what they do next (stopping the
   * process) waits for the apply thread to end, which it never would if it ran on it.
   */
  void stopAfterRemoval() {
    if (!removalSeen.compareAndSet(false, true)) {
      return;
    }
    log.error(
        "the member has been permanently removed from the cluster; the data-dir used by this member must be removed");
    Thread t = new Thread(() -> {
      try {
        // Raft keeps running a little longer, as etcd's does: the remaining members may not
        // know yet that this removal is committed, and the next appends or heartbeats from
        // this member (or, if it led, its last campaign) are what tells them.
        Thread.sleep(removedMemberGraceMillis);
        raft.close();
        transport.close();
      } catch (Exception e) {
        Thread.currentThread().interrupt();
      } finally {
        removed.complete(null);
      }
    }, "removed-member-stop");
    t.setDaemon(true);
    t.start();
  }

  public MvccStore store() {
    return state.store();
  }

  public Lessor lessor() {
    return state.lessor();
  }

  public WatchHub watches() {
    return watches;
  }

  /**
   * Registers an in-process listener for every applied revision's events (called on the apply
   * thread, in revision order; it must not block).
   */
  public void addRevisionListener(io.strata.mvcc.RevisionListener listener) {
    revisions.add(listener);
  }

  public void removeRevisionListener(io.strata.mvcc.RevisionListener listener) {
    revisions.remove(listener);
  }

  /** A fresh, positive lease id, unique to this member's lifetime like etcd's request ids. */
  public long newLeaseId() {
    return pending.nextId() & Long.MAX_VALUE;
  }

  /** Whether this member is a learner in the applied membership. */
  public boolean isLearner() {
    return membership.find(membership.localMemberId()).map(MemberRecord::getIsLearner).orElse(false);
  }

  public boolean isLeader() {
    return raft.isLeader();
  }

  public long memberId() {
    return membership.localMemberId();
  }

  public long clusterId() {
    return membership.clusterId();
  }

  public long leaderId() {
    return raft.leaderId();
  }

  public long term() {
    return raft.term();
  }

  public long commitIndex() {
    return Math.max(raft.commitIndex(), apply.appliedIndex());
  }

  public long appliedIndex() {
    return apply.appliedIndex();
  }

  public ResponseHeader header(long revision) {
    return ResponseHeader.newBuilder()
        .setClusterId(membership.clusterId())
        .setMemberId(membership.localMemberId())
        .setRevision(revision)
        .setRaftTerm(raft.term())
        .build();
  }

  /** Adds this member's identity to a header that already carries the revision. */
  public ResponseHeader header(ResponseHeader withRevision) {
    return header(withRevision.getRevision());
  }

  /**
   * Proposes a write and completes with what applying it returned. The request's size is
   * checked here, as etcd does, so an oversized request never reaches the log.
   */
  public CompletableFuture<Object> write(InternalRequest.Builder request) {
    if (raft.commitIndex() - apply.appliedIndex() > maxApplyLagEntries) {
      return CompletableFuture.failedFuture(EtcdServerException.tooManyRequests());
    }
    long id = pending.nextId();
    ByteString data = request.setId(id).setOriginMemberId(membership.localMemberId()).build().toByteString();
    if (data.size() > maxRequestBytes) {
      return CompletableFuture.failedFuture(EtcdServerException.requestTooLarge());
    }
    CompletableFuture<Object> result = pending.register(id);
    raft.propose(data).whenComplete((ok, failure) -> {
      if (failure != null) {
        pending.fail(id, failure);
      }
    });
    return withRequestTimeout(result).whenComplete((r, failure) -> {
      if (failure != null) {
        pending.fail(id, failure);
      }
    });
  }

  /** A tenth of the timeout, at most 100 ms: late by that much at worst, and nearly free. */
  static Duration deadlineSweepInterval(Duration requestTimeout) {
    Duration tenth = requestTimeout.dividedBy(10);
    return tenth.compareTo(Duration.ofMillis(100)) < 0 ? tenth : Duration.ofMillis(100);
  }

  /** Bounds a request by etcd's request timeout, failing it with etcd's "request timed out". */
  private <T> CompletableFuture<T> withRequestTimeout(CompletableFuture<T> request) {
    return deadlines.bound(request)
        .exceptionally(failure -> {
          if (failure instanceof java.util.concurrent.TimeoutException) {
            throw EtcdServerException.timedOut();
          }
          throw failure instanceof RuntimeException r ? r : new java.util.concurrent.CompletionException(failure);
        });
  }

  /** Runs a read once everything committed before this call is applied on this member. */
  public <T> CompletableFuture<T> linearizableRead(Supplier<T> read) {
    return linearizableRead(read, reads);
  }

  /**
   * Runs a read on {@code executor} once everything committed before this call is applied on
   * this member. A request handler passes the event loop its answer is written on: the read then
   * runs where the answer goes out, one thread hand-off fewer than through the read pool.
   */
  public <T> CompletableFuture<T> linearizableRead(Supplier<T> read, Executor executor) {
    return withRequestTimeout(raft.linearizableBarrier()).thenApplyAsync(v -> read.get(), executor);
  }

  /**
   * Waits until this member has a leader, has applied everything committed so far and has
   * published its client URLs (etcd starts serving clients only after publishing).
   */
  public void awaitReady(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        linearizableRead(() -> null).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        long leftNanos = Math.max(1, deadline - System.nanoTime());
        try {
          published.get(leftNanos, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          // Serving without the announcement is still better than not serving at all.
        }
        return;
      } catch (java.util.concurrent.ExecutionException e) {
        // No leader yet, or the first one changed: a cluster whose members start one by one
        // takes a while to elect; keep asking until the deadline.
        if (System.nanoTime() - deadline > 0) {
          throw e;
        }
      }
    }
  }

  @Override
  public synchronized void close() throws Exception {
    // A removed member is closed twice: once as it stops after its removal, once by the
    // shutdown hook of the exit that follows.
    if (closed) {
      return;
    }
    closed = true;
    peerActivity.close();
    deadlines.close();
    raft.transferLeadershipBeforeStop(requestTimeout.toMillis());
    watches.close();
    raft.close();
    transport.close();
    apply.close();
    try {
      wal.sync();
      wal.close();
    } catch (IOException e) {
      // The process is stopping; what was acknowledged was synced before it was acknowledged.
    }
    state.store().close();
  }
}
