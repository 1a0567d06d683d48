package io.strata.server.member;

import io.strata.api.etcdserverpb.LeaseRevokeRequest;
import io.strata.api.serverpb.InternalRequest;
import io.strata.api.serverpb.LeaseCheckpoint;
import io.strata.api.serverpb.LeaseCheckpointBatch;
import io.strata.lease.Checkpoint;
import io.strata.lease.Lessor;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the leader, turns the lessor's decisions into Raft proposals: a revoke for every expired
 * lease and a batch of remaining-TTL checkpoints. Only committed revokes delete anything, so a
 * leader that loses leadership mid-way cannot delete keys on its own.
 */
public final class LeaseExpiry implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaseExpiry.class);
  static final long checkIntervalMillis = 500;
  static final int maxCheckpointsPerBatch = 1_000;

  private final LocalMember member;
  private final ScheduledExecutorService timer;

  public LeaseExpiry(LocalMember member) {
    this.member = member;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "lease-expiry");
      t.setDaemon(true);
      return t;
    });
  }

  public void start() {
    timer.scheduleWithFixedDelay(this::check, checkIntervalMillis, checkIntervalMillis, TimeUnit.MILLISECONDS);
  }

  private void check() {
    try {
      Lessor lessor = member.lessor();
      if (!lessor.isPrimary()) {
        return;
      }
      long now = Monotonic.millis();
      for (long id : lessor.expiredLeases(now, Integer.MAX_VALUE)) {
        member.write(InternalRequest.newBuilder().setLeaseRevoke(LeaseRevokeRequest.newBuilder().setID(id)))
            .whenComplete((r, failure) -> {
              if (failure != null) {
                log.warn("failed to revoke expired lease {}: {}", Long.toHexString(id), failure.getMessage());
              }
            });
      }
      List<Checkpoint> due = lessor.checkpointsDue(now, maxCheckpointsPerBatch);
      if (!due.isEmpty()) {
        LeaseCheckpointBatch.Builder batch = LeaseCheckpointBatch.newBuilder();
        for (Checkpoint c : due) {
          batch.addCheckpoints(LeaseCheckpoint.newBuilder().setId(c.id()).setRemainingTtl(c.remainingTtlSeconds()));
        }
        member.write(InternalRequest.newBuilder().setLeaseCheckpoints(batch));
      }
    } catch (RuntimeException e) {
      log.warn("lease expiry check failed", e);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
