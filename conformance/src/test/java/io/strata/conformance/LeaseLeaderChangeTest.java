package io.strata.conformance;

import static io.strata.conformance.Jetcd.await;
import static io.strata.conformance.Jetcd.bytes;
import static io.strata.conformance.Jetcd.putRetrying;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import io.strata.conformance.harness.Cluster;
import io.strata.conformance.harness.JetcdClients;
import io.strata.conformance.harness.ServerKind;
import io.strata.conformance.harness.ServerProcess;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Lease TTLs across the leader of a three-member cluster being killed, with lease checkpoints
 * enabled on every member. etcd checkpoints a lease's remaining TTL only every five minutes and
 * only for leases that have more than that left (the interval has no command-line flag in 3.5),
 * so a new leader gives a short lease its full TTL again plus one election timeout, and never
 * more. What must hold whatever the checkpoints: no lease expires before its time, a lease kept
 * alive throughout never expires, and a lease whose keep-alives stop after the change is gone
 * within its TTL plus an election timeout after the last one.
 */
class LeaseLeaderChangeTest {
    static final List<String> CHECKPOINT_FLAGS = List.of(
            "--experimental-enable-lease-checkpoint=true", "--experimental-enable-lease-checkpoint-persist=true");
    static final long IDLE_TTL_SECONDS = 20;
    static final long RENEWED_TTL_SECONDS = 6;
    /** The servers' default election timeout. */
    static final long ELECTION_TIMEOUT_SECONDS = 1;
    /** Slack for a loaded machine: scheduling, the revoke round-trip, the client's polling. */
    static final long MARGIN_SECONDS = 5;
    static final long AGE_BEFORE_KILL_SECONDS = 6;

    @Test
    void leaderKillNeitherExpiresLeasesEarlyNorExtendsThemBeyondFullTtlAndAnElectionTimeout() throws Exception {
        try (Cluster cluster = Cluster.start(ServerKind.target(), "LeaseLeaderChangeTest", 3, CHECKPOINT_FLAGS)) {
            ServerProcess leader = leaderOf(cluster);
            ServerProcess survivor = cluster.members().stream().filter(m -> m != leader).findFirst().orElseThrow();
            try (Client client = JetcdClients.forServer(survivor)) {
                long idle = await(client.getLeaseClient().grant(IDLE_TTL_SECONDS)).getID();
                long idleGrantedNanos = System.nanoTime();
                await(client.getKVClient().put(bytes("/lease-change/idle"), bytes("i"), PutOption.builder().withLeaseId(idle).build()));
                long kept = await(client.getLeaseClient().grant(RENEWED_TTL_SECONDS)).getID();
                await(client.getKVClient().put(bytes("/lease-change/kept"), bytes("k"), PutOption.builder().withLeaseId(kept).build()));
                long stopped = await(client.getLeaseClient().grant(RENEWED_TTL_SECONDS)).getID();
                await(client.getKVClient().put(bytes("/lease-change/stopped"), bytes("s"), PutOption.builder().withLeaseId(stopped).build()));

                KeepAlive keptAlive = KeepAlive.start(client, kept);
                KeepAlive stoppedAlive = KeepAlive.start(client, stopped);
                Thread.sleep(TimeUnit.SECONDS.toMillis(AGE_BEFORE_KILL_SECONDS));
                long idleLeftBeforeKill = timeToLive(client, idle).getTTL();
                assertThat(idleLeftBeforeKill).as("idle lease's TTL before the kill").isBetween(1L, IDLE_TTL_SECONDS);

                leader.kill9();
                long killedNanos = System.nanoTime();
                putRetrying(client, "/lease-change/after-kill");
                long newLeaderNanos = System.nanoTime();

                // Without a checkpoint the new leader starts the idle lease again from its full TTL
                // plus one election timeout; it must neither shorten what was left nor go beyond that.
                LeaseTimeToLiveResponse idleAfter = timeToLive(client, idle);
                assertThat(idleAfter.getGrantedTTL()).isEqualTo(IDLE_TTL_SECONDS);
                long leftBeforeKillNow = idleLeftBeforeKill - TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - killedNanos);
                assertThat(idleAfter.getTTL()).as("idle lease's TTL under the new leader")
                        .isGreaterThanOrEqualTo(leftBeforeKillNow - 1)
                        .isLessThanOrEqualTo(IDLE_TTL_SECONDS + ELECTION_TIMEOUT_SECONDS);

                // Keep-alives reach the new leader; then one lease's stop.
                stoppedAlive.awaitResponseAfter(newLeaderNanos);
                stoppedAlive.close();
                long lastKeepAliveNanos = stoppedAlive.lastResponseNanos();
                sleepUntil(lastKeepAliveNanos + TimeUnit.SECONDS.toNanos(RENEWED_TTL_SECONDS - 2));
                assertThat(await(client.getKVClient().get(bytes("/lease-change/stopped"))).getKvs())
                        .as("key of the stopped lease before its TTL ran out").hasSize(1);
                awaitAbsent(client, "/lease-change/stopped", lastKeepAliveNanos,
                        RENEWED_TTL_SECONDS + ELECTION_TIMEOUT_SECONDS + MARGIN_SECONDS);

                // The idle lease lives at least as long as it had left, and is gone within a full
                // TTL and an election timeout of the new leader's start.
                sleepUntil(idleGrantedNanos + TimeUnit.SECONDS.toNanos(IDLE_TTL_SECONDS - 2));
                assertThat(await(client.getKVClient().get(bytes("/lease-change/idle"))).getKvs())
                        .as("key of the idle lease before its TTL ran out").hasSize(1);
                awaitAbsent(client, "/lease-change/idle", newLeaderNanos,
                        IDLE_TTL_SECONDS + ELECTION_TIMEOUT_SECONDS + MARGIN_SECONDS);

                assertThat(await(client.getKVClient().get(bytes("/lease-change/kept"))).getKvs())
                        .as("key of the lease kept alive throughout").hasSize(1);
                assertThat(timeToLive(client, kept).getTTL()).isPositive();
                keptAlive.close();
            }
        }
    }

    /** A jetcd keep-alive stream that remembers when its last answer came. */
    static final class KeepAlive implements AutoCloseable {
        private final AtomicLong lastResponseNanos = new AtomicLong();
        private CloseableClient stream;

        static KeepAlive start(Client client, long lease) {
            KeepAlive k = new KeepAlive();
            k.stream = client.getLeaseClient().keepAlive(lease, new StreamObserver<LeaseKeepAliveResponse>() {
                @Override public void onNext(LeaseKeepAliveResponse r) {
                    k.lastResponseNanos.set(System.nanoTime());
                }
                @Override public void onError(Throwable t) { }
                @Override public void onCompleted() { }
            });
            return k;
        }

        long lastResponseNanos() {
            return lastResponseNanos.get();
        }

        void awaitResponseAfter(long nanos) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (lastResponseNanos.get() - nanos <= 0) {
                assertThat(System.nanoTime() - deadline).as("a keep-alive answered by the new leader").isNegative();
                Thread.sleep(50);
            }
        }

        @Override
        public void close() {
            stream.close();
        }
    }

    private static ServerProcess leaderOf(Cluster cluster) {
        for (ServerProcess m : cluster.members()) {
            try (Client c = JetcdClients.forServer(m)) {
                var status = await(c.getMaintenanceClient().statusMember(m.clientUrl()));
                if (status.getHeader().getMemberId() == status.getLeader()) {
                    return m;
                }
            }
        }
        throw new AssertionError("no member reports itself as the leader");
    }

    private static LeaseTimeToLiveResponse timeToLive(Client client, long lease) {
        return await(client.getLeaseClient().timeToLive(lease, LeaseOption.DEFAULT));
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long left = nanos - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    private static void awaitAbsent(Client client, String key, long sinceNanos, long withinSeconds) throws InterruptedException {
        while (!await(client.getKVClient().get(bytes(key))).getKvs().isEmpty()) {
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos))
                    .as("milliseconds until %s expired", key).isLessThan(TimeUnit.SECONDS.toMillis(withinSeconds));
            Thread.sleep(100);
        }
    }
}
