package io.strata.conformance;

import static io.strata.conformance.ChaosWorkload.pace;
import static org.assertj.core.api.Assertions.assertThat;

import io.strata.conformance.harness.Cluster;
import io.strata.conformance.harness.PeerNetwork;
import io.strata.conformance.harness.ServerKind;
import io.strata.conformance.harness.ServerProcess;
import io.strata.conformance.linearizability.Operation;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Several clients, each bound to one member of a three-member cluster, run puts, linearizable
 * reads, deletes and compare-and-sets over a few keys while members crash, stop and lose their
 * peers. Afterwards every member is killed and restarted, each one reads every key, and the
 * whole history must be linearizable (see {@link ChaosHistoryCheck}).
 */
class ChaosTest {
    /**
     * One cluster goes through every fault in turn, since starting and restarting members is
     * what costs the time here: the leader is killed with SIGKILL and comes back, a follower is
     * stopped with SIGTERM and comes back, then the leader and later a follower are cut off from
     * their peers and reconnected.
     */
    @Test
    void historyStaysLinearizableThroughCrashesRestartsAndPartitions() throws Exception {
        try (Cluster cluster = Cluster.startWithPeerProxies(ServerKind.target(), "ChaosTest", 3)) {
            PeerNetwork network = cluster.peerNetwork();
            List<Operation> history;
            try (ChaosWorkload workload = ChaosWorkload.start(cluster.members(), "chaos")) {
                pace(Duration.ofSeconds(2));
                int killed = killLeaderAndRestartIt(cluster);
                stopAFollowerAndRestartIt(cluster, killed);
                isolateTheLeaderAndHeal(cluster, network);
                isolateAFollowerAndHeal(cluster, network);
                history = workload.stop();
            }
            assertThat(network.refusedConnections()).as("peer connections the partitions refused").isPositive();
            ChaosHistoryCheck.assertLinearizableAfterFullRestart(cluster, cluster.members(), "ChaosTest", history);
        }
    }

    /** Returns the index of the member it killed. */
    private static int killLeaderAndRestartIt(Cluster cluster) throws InterruptedException {
        int leader = awaitLeader(cluster, allMembers(cluster));
        cluster.member(leader).kill9();
        awaitLeader(cluster, allBut(cluster, leader));
        pace(Duration.ofSeconds(1));
        cluster.member(leader).start();
        pace(Duration.ofSeconds(1));
        return leader;
    }

    /** Stops a follower other than {@code spared}, so that the faults spread over the members. */
    private static void stopAFollowerAndRestartIt(Cluster cluster, int spared) throws InterruptedException {
        int leader = awaitLeader(cluster, allMembers(cluster));
        int follower = IntStream.range(0, 3).filter(i -> i != leader && i != spared).findFirst().orElseThrow();
        cluster.member(follower).stop();
        pace(Duration.ofSeconds(2));
        cluster.member(follower).start();
        pace(Duration.ofSeconds(1));
    }

    private static void isolateTheLeaderAndHeal(Cluster cluster, PeerNetwork network) throws InterruptedException {
        int leader = awaitLeader(cluster, allMembers(cluster));
        network.isolate(leader);
        // Both remaining members must agree on a leader among themselves, so not the old one.
        awaitLeader(cluster, allBut(cluster, leader));
        pace(Duration.ofSeconds(2));
        network.heal();
        pace(Duration.ofSeconds(1));
    }

    private static void isolateAFollowerAndHeal(Cluster cluster, PeerNetwork network) throws InterruptedException {
        int follower = (awaitLeader(cluster, allMembers(cluster)) + 1) % 3;
        network.isolate(follower);
        pace(Duration.ofSeconds(3));
        network.heal();
        awaitLeader(cluster, allMembers(cluster));
        pace(Duration.ofSeconds(2));
    }

    /**
     * Waits until every member in {@code among} names the same leader, one of them, and returns
     * its index. Members outside {@code among} (killed or cut off) are not asked.
     */
    private static int awaitLeader(Cluster cluster, Set<Integer> among) throws InterruptedException {
        List<ServerProcess> asked = among.stream().map(cluster::member).toList();
        return cluster.members().indexOf(LeaderProbe.awaitLeader(asked));
    }

    private static Set<Integer> allMembers(Cluster cluster) {
        return IntStream.range(0, cluster.members().size()).boxed().collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<Integer> allBut(Cluster cluster, int excluded) {
        Set<Integer> members = allMembers(cluster);
        members.remove(excluded);
        return members;
    }
}
