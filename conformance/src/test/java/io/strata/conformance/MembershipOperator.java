package io.strata.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.api.Member;
import io.etcd.jetcd.api.MemberAddRequest;
import io.etcd.jetcd.api.MemberListRequest;
import io.etcd.jetcd.api.MemberPromoteRequest;
import io.etcd.jetcd.api.MemberRemoveRequest;
import io.etcd.jetcd.api.MoveLeaderRequest;
import io.etcd.jetcd.api.StatusResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.strata.conformance.harness.EtcdGrpc;
import io.strata.conformance.harness.ServerProcess;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Membership changes and leader moves as an operator makes them under load, through the
 * Cluster and Maintenance gRPC APIs: a call the cluster refuses for now (its peers have not been
 * connected long enough, a learner lags, the leader just changed) or whose outcome is unknown (a
 * deadline expired) is retried after checking whether it took effect after all. Any other
 * refusal fails the test, since it is an error an etcd client would not expect there.
 */
final class MembershipOperator {
    static final Duration RECONFIGURATION_TIMEOUT = Duration.ofSeconds(45);
    static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(45);
    static final Duration REMOVED_MEMBER_EXIT_TIMEOUT = Duration.ofSeconds(30);
    static final long RETRY_MILLIS = 300;

    /**
     * etcd's answers that say "not now": strict reconfiguration checks, a learner that is not in
     * sync yet, and the effects of a leader change or an overloaded member. A repeated add or
     * remove of a change that went through answers "already exists" or "not found", which the
     * check before the next attempt then recognises.
     */
    private static final Set<String> RETRIABLE_MESSAGES = Set.of(
            "etcdserver: unhealthy cluster",
            "etcdserver: re-configuration failed due to not enough started members",
            "etcdserver: can only promote a learner member which is in sync with leader",
            "etcdserver: not leader",
            "etcdserver: no leader",
            "etcdserver: leader changed",
            "etcdserver: request timed out",
            "etcdserver: request timed out, possibly due to previous leader failure",
            "etcdserver: request timed out, possibly due to connection lost",
            "etcdserver: request timed out, leader transfer took too long",
            "etcdserver: too many requests",
            "etcdserver: server stopped",
            "etcdserver: Peer URLs already exists",
            "etcdserver: member not found");

    private MembershipOperator() {
    }

    /** The member's id, as its Status header names it. */
    static long memberId(ServerProcess member) throws InterruptedException {
        StatusResponse status = awaitStatus(member);
        return status.getHeader().getMemberId();
    }

    /**
     * Moves leadership to {@code target}, asking whichever of {@code members} leads at the time
     * (etcd takes MoveLeader only on the leader), until {@code target} leads.
     */
    static void moveLeader(Collection<ServerProcess> members, ServerProcess target) throws InterruptedException {
        long targetId = memberId(target);
        retry("move the leadership to " + target, () -> LeaderProbe.awaitLeader(members) == target,
                () -> {
                    ServerProcess leader = LeaderProbe.awaitLeader(members);
                    try (EtcdGrpc grpc = EtcdGrpc.connect(leader.clientUrl())) {
                        grpc.maintenance().moveLeader(MoveLeaderRequest.newBuilder().setTargetID(targetId).build());
                    }
                });
    }

    /** Adds a member with {@code peerUrl} through {@code via} and returns its new id. */
    static long addMember(ServerProcess via, String peerUrl, boolean learner) throws InterruptedException {
        retry("add " + peerUrl + (learner ? " as a learner" : ""), () -> findByPeerUrl(via, peerUrl).isPresent(),
                () -> {
                    try (EtcdGrpc grpc = EtcdGrpc.connect(via.clientUrl())) {
                        grpc.cluster().memberAdd(MemberAddRequest.newBuilder().addPeerURLs(peerUrl)
                                .setIsLearner(learner).build());
                    }
                });
        Member added = findByPeerUrl(via, peerUrl).orElseThrow();
        assertThat(added.getIsLearner()).as("%s is a learner", peerUrl).isEqualTo(learner);
        return added.getID();
    }

    /** Removes member {@code id} through {@code via}, a member that stays. */
    static void removeMember(ServerProcess via, long id) throws InterruptedException {
        retry("remove " + Long.toHexString(id), () -> findById(via, id).isEmpty(), () -> {
            try (EtcdGrpc grpc = EtcdGrpc.connect(via.clientUrl())) {
                grpc.cluster().memberRemove(MemberRemoveRequest.newBuilder().setID(id).build());
            }
        });
    }

    /** Promotes learner {@code id} through {@code via}, retrying while it is not in sync yet. */
    static void promote(ServerProcess via, long id) throws InterruptedException {
        retry("promote " + Long.toHexString(id), () -> findById(via, id).map(m -> !m.getIsLearner()).orElse(false),
                () -> {
                    try (EtcdGrpc grpc = EtcdGrpc.connect(via.clientUrl())) {
                        grpc.cluster().memberPromote(MemberPromoteRequest.newBuilder().setID(id).build());
                    }
                });
    }

    /**
     * Waits until {@code joiner} has applied everything {@code leader} had committed when the
     * wait began: from then on it serves what the others serve, learner or not.
     */
    static void awaitCaughtUp(ServerProcess joiner, ServerProcess leader) throws InterruptedException {
        long target = awaitStatus(leader).getRaftIndex();
        long started = System.nanoTime();
        long deadline = started + CATCH_UP_TIMEOUT.toNanos();
        long applied = -1;
        while (System.nanoTime() < deadline) {
            StatusResponse status = LeaderProbe.status(joiner);
            if (status != null) {
                applied = status.getRaftAppliedIndex();
                if (applied >= target) {
                    System.out.printf("%s caught up with index %d in %d ms%n", joiner.name(), target,
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                    return;
                }
            }
            Thread.sleep(LeaderProbe.POLL_MILLIS);
        }
        throw new AssertionError(joiner + " applied only up to " + applied + " of the leader's " + target
                + " within " + CATCH_UP_TIMEOUT.toSeconds() + " s");
    }

    /**
     * Waits until a removed member's process has exited by itself, as etcd's does once it learns
     * of its removal, and fails if it has not.
     */
    static void awaitExitAfterRemoval(ServerProcess removed) throws InterruptedException {
        long started = System.nanoTime();
        long deadline = started + REMOVED_MEMBER_EXIT_TIMEOUT.toNanos();
        while (removed.isRunning() && System.nanoTime() < deadline) {
            Thread.sleep(LeaderProbe.POLL_MILLIS);
        }
        boolean running = removed.isRunning();
        System.out.printf("%s %s after %d ms of waiting%n", removed.name(), running ? "still runs" : "exited",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        // Stopped either way, so that a failure here does not leave it serving until the end.
        removed.stop();
        assertThat(running).as("%s still runs %d s after its removal; log %s", removed,
                REMOVED_MEMBER_EXIT_TIMEOUT.toSeconds(), removed.logFile()).isFalse();
    }

    /** The names in the membership as {@code via} knows it. */
    static List<String> memberNames(ServerProcess via) {
        return members(via).stream().map(Member::getName).toList();
    }

    private static Optional<Member> findByPeerUrl(ServerProcess via, String peerUrl) {
        return members(via).stream().filter(m -> m.getPeerURLsList().contains(peerUrl)).findFirst();
    }

    private static Optional<Member> findById(ServerProcess via, long id) {
        return members(via).stream().filter(m -> m.getID() == id).findFirst();
    }

    private static List<Member> members(ServerProcess via) {
        try (EtcdGrpc grpc = EtcdGrpc.connect(via.clientUrl())) {
            return grpc.cluster().memberList(MemberListRequest.getDefaultInstance()).getMembersList();
        }
    }

    private static StatusResponse awaitStatus(ServerProcess member) throws InterruptedException {
        long deadline = System.nanoTime() + LeaderProbe.LEADER_TIMEOUT.toNanos();
        while (true) {
            StatusResponse status = LeaderProbe.status(member);
            if (status != null) {
                return status;
            }
            assertThat(System.nanoTime()).as("%s answers Status", member).isLessThan(deadline);
            Thread.sleep(LeaderProbe.POLL_MILLIS);
        }
    }

    /**
     * Runs {@code attempt} until {@code done} holds, checked before each attempt (an attempt that
     * failed may still have taken effect) and after the last.
     */
    private static void retry(String what, Check done, Attempt attempt) throws InterruptedException {
        long started = System.nanoTime();
        long deadline = started + RECONFIGURATION_TIMEOUT.toNanos();
        // Printed at the end: which refusals a step met tells a slow cluster from a wrong answer.
        Map<String, Integer> refusals = new TreeMap<>();
        while (System.nanoTime() < deadline) {
            if (holds(done)) {
                report(what, started, refusals);
                return;
            }
            try {
                attempt.run();
                if (holds(done)) {
                    report(what, started, refusals);
                    return;
                }
            } catch (StatusRuntimeException e) {
                Status status = e.getStatus();
                assertThat(isRetriable(status)).as("%s: the cluster answered %s", what, status).isTrue();
                refusals.merge(status.getCode() + " " + status.getDescription(), 1, Integer::sum);
            }
            Thread.sleep(RETRY_MILLIS);
        }
        throw new AssertionError("could not " + what + " within " + RECONFIGURATION_TIMEOUT.toSeconds()
                + " s; refusals: " + refusals);
    }

    private static void report(String what, long startedNanos, Map<String, Integer> refusals) {
        System.out.printf("%s: done in %d ms; refusals: %s%n", what,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos), refusals);
    }

    /** A check that could not ask (the member was busy or away) counts as not done yet. */
    private static boolean holds(Check done) throws InterruptedException {
        try {
            return done.holds();
        } catch (StatusRuntimeException e) {
            return false;
        }
    }

    @FunctionalInterface
    private interface Check {
        boolean holds() throws InterruptedException;
    }

    @FunctionalInterface
    private interface Attempt {
        void run() throws InterruptedException;
    }

    private static boolean isRetriable(Status status) {
        return switch (status.getCode()) {
            case UNAVAILABLE, DEADLINE_EXCEEDED -> true;
            default -> status.getDescription() != null && RETRIABLE_MESSAGES.contains(status.getDescription());
        };
    }
}
