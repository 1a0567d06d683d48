package io.strata.conformance;

import static io.strata.conformance.Jetcd.await;
import static io.strata.conformance.Jetcd.bytes;
import static io.strata.conformance.Jetcd.putRetrying;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.grpc.stub.StreamObserver;
import io.strata.conformance.harness.Cluster;
import io.strata.conformance.harness.JetcdClients;
import io.strata.conformance.harness.ServerKind;
import io.strata.conformance.harness.ServerProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Kills the leader of a three-member cluster while a watch and lease keep-alives run through a
 * follower: the watch neither loses nor repeats an event, the kept-alive lease survives, and a
 * lease nobody keeps alive still expires about on time under the new leader. Strata's followers
 * also notice at once that the killed leader is gone and campaign without waiting for the
 * election timeout.
 */
class LeaderFailoverTest {
    static final long KEPT_TTL_SECONDS = 5;
    static final long ABANDONED_TTL_SECONDS = 3;
    static final int WRITES = 60;

    record Seen(String key, long revision, WatchEvent.EventType type) {}

    @Test
    void watchesAndLeasesOnAFollowerSurviveTheLeaderBeingKilled() throws Exception {
        try (Cluster cluster = Cluster.start(ServerKind.target(), "LeaderFailoverTest", 3)) {
            long leaderId;
            try (Client any = cluster.newClient()) {
                leaderId = await(any.getMaintenanceClient().statusMember(cluster.member(0).clientUrl())).getLeader();
            }
            List<ServerProcess> followers = new ArrayList<>();
            ServerProcess leader = null;
            for (ServerProcess m : cluster.members()) {
                try (Client c = JetcdClients.forServer(m)) {
                    if (await(c.getMaintenanceClient().statusMember(m.clientUrl())).getHeader().getMemberId() == leaderId) {
                        leader = m;
                    } else {
                        followers.add(m);
                    }
                }
            }
            assertThat(leader).isNotNull();

            try (Client watcher = JetcdClients.forServer(followers.get(0));
                    Client writer = JetcdClients.forServer(followers.get(1))) {
                long start = await(writer.getKVClient().put(bytes("/failover/start"), bytes("s"))).getHeader().getRevision();
                List<Seen> live = new CopyOnWriteArrayList<>();
                WatchOption fromStart = WatchOption.builder().isPrefix(true).withRevision(start + 1).build();
                watcher.getWatchClient().watch(bytes("/failover/"), fromStart, response -> response.getEvents()
                        .forEach(e -> live.add(new Seen(e.getKeyValue().getKey().toString(),
                                e.getKeyValue().getModRevision(), e.getEventType()))));

                long kept = await(watcher.getLeaseClient().grant(KEPT_TTL_SECONDS)).getID();
                watcher.getLeaseClient().keepAlive(kept, new StreamObserver<LeaseKeepAliveResponse>() {
                    @Override public void onNext(LeaseKeepAliveResponse r) { }
                    @Override public void onError(Throwable t) { }
                    @Override public void onCompleted() { }
                });
                await(writer.getKVClient().put(bytes("/failover/kept"), bytes("k"),
                        PutOption.builder().withLeaseId(kept).build()));
                long abandoned = await(writer.getLeaseClient().grant(ABANDONED_TTL_SECONDS)).getID();
                await(writer.getKVClient().put(bytes("/failover/abandoned"), bytes("a"),
                        PutOption.builder().withLeaseId(abandoned).build()));
                long abandonedAtNanos = System.nanoTime();

                for (int i = 0; i < WRITES; i++) {
                    if (i == WRITES / 3) {
                        leader.kill9();
                    }
                    putRetrying(writer, "/failover/k" + i);
                }
                if (cluster.kind() == ServerKind.STRATA) {
                    // Beyond etcd: the killed leader's peer port refuses connections at once, and
                    // the followers elect a new leader without waiting out the election timeout.
                    for (ServerProcess follower : followers) {
                        assertThat(follower.log()).as("log of follower %s", follower.name())
                                .contains("is gone (its peer connections closed and a new one was refused)");
                    }
                }

                // The abandoned lease is gone within its TTL plus an election timeout (and a margin
                // for this machine); the kept one is still there after more than its TTL.
                awaitAbsent(writer, "/failover/abandoned", abandonedAtNanos,
                        TimeUnit.SECONDS.toNanos(ABANDONED_TTL_SECONDS + 1 + 6));
                Thread.sleep(TimeUnit.SECONDS.toMillis(KEPT_TTL_SECONDS + 1));
                assertThat(await(writer.getKVClient().get(bytes("/failover/kept"))).getKvs())
                        .as("key of the lease kept alive through a follower").hasSize(1);

                long end = await(writer.getKVClient().put(bytes("/failover/end"), bytes("e"))).getHeader().getRevision();
                awaitSeen(live, end);
                List<Seen> replayed = replay(watcher, start + 1, end);
                assertThat(live).as("events seen live across the leader change, against a replay of history")
                        .isEqualTo(replayed);
                for (int i = 1; i < live.size(); i++) {
                    assertThat(live.get(i).revision()).isGreaterThanOrEqualTo(live.get(i - 1).revision());
                }
            }
            leader.start();
        }
    }

    private static void awaitAbsent(Client client, String key, long sinceNanos, long withinNanos) throws InterruptedException {
        while (!await(client.getKVClient().get(bytes(key))).getKvs().isEmpty()) {
            assertThat(System.nanoTime() - sinceNanos).as("time until %s expired", key).isLessThan(withinNanos);
            Thread.sleep(100);
        }
    }

    private static void awaitSeen(List<Seen> live, long revision) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (live.isEmpty() || live.get(live.size() - 1).revision() < revision) {
            assertThat(System.nanoTime()).as("watch reached revision %d", revision).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static List<Seen> replay(Client client, long from, long to) throws InterruptedException {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        WatchOption option = WatchOption.builder().isPrefix(true).withRevision(from).build();
        try (var w = client.getWatchClient().watch(bytes("/failover/"), option, response -> response.getEvents()
                .forEach(e -> seen.add(new Seen(e.getKeyValue().getKey().toString(),
                        e.getKeyValue().getModRevision(), e.getEventType()))))) {
            awaitSeen(seen, to);
        }
        return new ArrayList<>(seen);
    }
}
