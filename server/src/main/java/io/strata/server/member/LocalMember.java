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
import io.strata.server.cluster.Membership;
import io.strata.server.raftnode.EtcdServerException;
import io.strata.server.raftnode.RaftLoop;
import io.strata.raft.transport.PeerTransport;
import io.strata.raft.wal.Wal;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * This member of the cluster as the request handlers see it: writes go through Raft and
 * complete when applied, linearizable reads wait for a ReadIndex round, and every response
 * header carries the cluster's and this member's identity.
 */
public final class LocalMember implements AutoCloseable {
  /**
   * etcd refuses new proposals when apply falls this far behind commit, instead of queueing
   * without bound.
   */
  static final long maxApplyLagEntries = 5_000;

  private final Membership membership;
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

  LocalMember(
      Membership membership,
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
  }

  public Membership membership() {
    return membership;
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
    return result
        .orTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(failure -> {
          pending.fail(id, failure);
          if (failure instanceof java.util.concurrent.TimeoutException) {
            throw EtcdServerException.timedOut();
          }
          throw failure instanceof RuntimeException r ? r : new java.util.concurrent.CompletionException(failure);
        });
  }

  /** Runs a read once everything committed before this call is applied on this member. */
  public <T> CompletableFuture<T> linearizableRead(Supplier<T> read) {
    return raft.linearizableBarrier()
        .orTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(failure -> {
          if (failure instanceof java.util.concurrent.TimeoutException) {
            throw EtcdServerException.timedOut();
          }
          throw failure instanceof RuntimeException r ? r : new java.util.concurrent.CompletionException(failure);
        })
        .thenApplyAsync(v -> read.get(), reads);
  }

  /** Waits until this member has a leader and has applied everything committed so far. */
  public void awaitReady(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        linearizableRead(() -> null).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
  public void close() throws Exception {
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
