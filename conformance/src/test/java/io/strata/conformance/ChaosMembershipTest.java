package io.strata.conformance;

import static io.strata.conformance.ChaosWorkload.pace;
import static org.assertj.core.api.Assertions.assertThat;

import io.strata.conformance.harness.Cluster;
import io.strata.conformance.harness.ServerKind;
import io.strata.conformance.harness.ServerProcess;
import io.strata.conformance.linearizability.Operation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The clients of {@link ChaosTest} run against a three-member cluster while its membership
 * changes under them: leadership moves twice, a fourth member joins and gets clients of its own,
 * a follower and then the leader itself are removed, and a learner joins and is promoted. The
 * clients of a removed member keep going until its process has exited, so the history also holds
 * what a member answers while it is being removed; then they are retired. At the end the
 * members left are killed and restarted, and the whole history must be linearizable (see
 * {@link ChaosHistoryCheck}).
 */
class ChaosMembershipTest {
    /** How long a removed member's clients keep trying it before they are retired, at least. */
    static final Duration REMOVED_MEMBER_GRACE = Duration.ofSeconds(1);

    @Test
    void historyStaysLinearizableThroughLeaderMovesAndMembershipChanges() throws Exception {
        try (Cluster cluster = Cluster.start(ServerKind.target(), "ChaosMembershipTest", 3)) {
            // The voting members as the cluster's membership has them at each point.
            List<ServerProcess> members = new ArrayList<>(cluster.members());
            List<Operation> history;
            try (ChaosWorkload workload = ChaosWorkload.start(members, "chaos-membership")) {
                pace(Duration.ofSeconds(2));
                Phases phases = new Phases();
                moveTheLeaderTwice(members);
                phases.done("two leader moves");
                ServerProcess joined = addAVoterAndGiveItClients(cluster, members, workload, "member3");
                phases.done("a voter added");
                removeAFollower(members, workload, joined);
                phases.done("a follower removed");
                removeTheLeader(members, workload);
                phases.done("the leader removed");
                ServerProcess promoted = addALearnerAndPromoteIt(cluster, members, workload, "member4");
                phases.done("a learner added and promoted");
                pace(Duration.ofSeconds(2));
                assertThat(workload.runningClients()).as("clients left running")
                        .isEqualTo((long) ChaosWorkload.CLIENTS_PER_MEMBER * members.size());
                history = workload.stop();
                // The members that joined served the clients bound to them, not only errors.
                for (ServerProcess joiner : List.of(joined, promoted)) {
                    assertThat(workload.acknowledgedThrough(joiner)).as("operations acknowledged by %s", joiner)
                            .isPositive();
                }
            }
            assertThat(MembershipOperator.memberNames(members.get(0))).as("the membership at the end")
                    .containsExactlyInAnyOrderElementsOf(members.stream().map(ServerProcess::name).toList());
            ChaosHistoryCheck.assertLinearizableAfterFullRestart(cluster, List.copyOf(members), "ChaosMembershipTest",
                    history);
        }
    }

    /** Moves leadership from the leader to one follower, then on to the other. */
    private static void moveTheLeaderTwice(List<ServerProcess> members) throws InterruptedException {
        ServerProcess first = LeaderProbe.awaitLeader(members);
        ServerProcess second = members.stream().filter(m -> m != first).findFirst().orElseThrow();
        MembershipOperator.moveLeader(members, second);
        pace(Duration.ofSeconds(1));
        ServerProcess third = members.stream().filter(m -> m != first && m != second).findFirst().orElseThrow();
        MembershipOperator.moveLeader(members, third);
        pace(Duration.ofSeconds(1));
    }

    /**
     * Adds a voting member, starts it with {@code --initial-cluster-state=existing}, and once it
     * has caught up binds new clients to it.
     */
    private static ServerProcess addAVoterAndGiveItClients(Cluster cluster, List<ServerProcess> members,
            ChaosWorkload workload, String name) throws InterruptedException {
        ServerProcess joiner = cluster.newJoiningMember(name, members);
        ServerProcess leader = LeaderProbe.awaitLeader(members);
        MembershipOperator.addMember(leader, joiner.advertisedPeerUrl(), false);
        joiner.start();
        members.add(joiner);
        MembershipOperator.awaitCaughtUp(joiner, LeaderProbe.awaitLeader(members));
        workload.addClientsFor(joiner);
        pace(Duration.ofSeconds(2));
        return joiner;
    }

    /** Removes a founding follower (not {@code spared}) through the leader. */
    private static void removeAFollower(List<ServerProcess> members, ChaosWorkload workload, ServerProcess spared)
            throws InterruptedException {
        ServerProcess leader = LeaderProbe.awaitLeader(members);
        ServerProcess follower = members.stream().filter(m -> m != leader && m != spared).findFirst().orElseThrow();
        long id = MembershipOperator.memberId(follower);
        MembershipOperator.removeMember(leader, id);
        members.remove(follower);
        retire(follower, workload);
        LeaderProbe.awaitLeader(members);
        pace(Duration.ofSeconds(1));
    }

    /**
     * Removes the leader's own id, asked of a member that stays: the leader applies its own
     * removal, stops, and the others elect a leader among themselves.
     */
    private static void removeTheLeader(List<ServerProcess> members, ChaosWorkload workload)
            throws InterruptedException {
        ServerProcess leader = LeaderProbe.awaitLeader(members);
        ServerProcess via = members.stream().filter(m -> m != leader).findFirst().orElseThrow();
        long id = MembershipOperator.memberId(leader);
        MembershipOperator.removeMember(via, id);
        members.remove(leader);
        retire(leader, workload);
        LeaderProbe.awaitLeader(members);
        pace(Duration.ofSeconds(1));
    }

    /**
     * Adds a learner, starts it, promotes it once it has caught up, and only then binds clients
     * to it: a learner refuses every request those clients make.
     */
    private static ServerProcess addALearnerAndPromoteIt(Cluster cluster, List<ServerProcess> members,
            ChaosWorkload workload, String name) throws InterruptedException {
        ServerProcess learner = cluster.newJoiningMember(name, members);
        ServerProcess leader = LeaderProbe.awaitLeader(members);
        long id = MembershipOperator.addMember(leader, learner.advertisedPeerUrl(), true);
        learner.start();
        MembershipOperator.awaitCaughtUp(learner, leader);
        MembershipOperator.promote(LeaderProbe.awaitLeader(members), id);
        members.add(learner);
        LeaderProbe.awaitLeader(members);
        workload.addClientsFor(learner);
        return learner;
    }

    /**
     * Lets the removed member's clients run on until its process has exited by itself, then
     * retires them. Whatever they were told meanwhile is in the history: an error leaves the
     * outcome unknown, and an answer that claims success is checked like any other.
     */
    private static void retire(ServerProcess removed, ChaosWorkload workload) throws InterruptedException {
        pace(REMOVED_MEMBER_GRACE);
        MembershipOperator.awaitExitAfterRemoval(removed);
        workload.retireClientsOf(removed);
    }

    /** Prints how long each step took, which is what tells a slow reconfiguration from a hung one. */
    private static final class Phases {
        private long startedNanos = System.nanoTime();

        void done(String what) {
            long now = System.nanoTime();
            System.out.printf("%s in %d ms%n", what, TimeUnit.NANOSECONDS.toMillis(now - startedNanos));
            startedNanos = now;
        }
    }
}
