package io.strata.bench;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.strata.api.etcdserverpb.ClusterGrpc;
import io.strata.api.etcdserverpb.MemberAddRequest;
import io.strata.api.etcdserverpb.MemberAddResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * How long a new member takes to catch up with a loaded cluster. The tool writes the key space
 * (not timed), adds a member with {@code MemberAdd}, hands its {@code --initial-cluster} value to
 * whoever starts its process (see {@link JoinHandshake}), and polls the new member until its own
 * state holds the leader's revision. With the servers' {@code --snapshot-count} well below the
 * number of keys, the leader no longer has the early entries in its log, so the new member can
 * only catch up from a snapshot of the state; the time includes sending and restoring it.
 */
@Command(name = "member-catchup", mixinStandardHelpOptions = true,
        description = "Loads the key space, adds a member, and times until the new member has caught up.")
final class MemberCatchUpCommand implements Callable<Integer> {
    private static final long memberAddTimeoutMillis = 30_000;

    @Mixin
    CommonOptions common;

    @Option(names = "--new-member-name", required = true, description = "The --name the new member is started with.")
    String newMemberName;

    @Option(names = "--new-member-peer-url", required = true, description = "The new member's peer URL, given to MemberAdd.")
    String newMemberPeerUrl;

    @Option(names = "--new-member-client-url", required = true, description = "The new member's client URL, polled until it caught up.")
    String newMemberClientUrl;

    @Option(names = "--initial-cluster-file", required = true,
            description = "Where to write the new member's --initial-cluster value once MemberAdd answered.")
    Path initialClusterFile;

    @Option(names = "--started-file", required = true,
            description = "The file the starter writes once the new member runs: '<launch time in Unix ns> <pid>'.")
    Path startedFile;

    @Option(names = "--poll-interval", defaultValue = "20ms", converter = DurationConverter.class,
            description = "How often the new member is asked for its revision. Default: ${DEFAULT-VALUE}.")
    Duration pollInterval;

    @Option(names = "--attempt-timeout", defaultValue = "2s", converter = DurationConverter.class,
            description = "Deadline of each poll. Default: ${DEFAULT-VALUE}.")
    Duration attemptTimeout;

    @Option(names = "--start-timeout", defaultValue = "120s", converter = DurationConverter.class,
            description = "Give up when the started file does not appear this long after MemberAdd. Default: ${DEFAULT-VALUE}.")
    Duration startTimeout;

    @Option(names = "--catch-up-timeout", defaultValue = "300s", converter = DurationConverter.class,
            description = "Give up when the new member has not caught up this long after its start. Default: ${DEFAULT-VALUE}.")
    Duration catchUpTimeout;

    @Override
    public Integer call() throws Exception {
        common.validate();
        Endpoint newMemberClient = Endpoint.parse(newMemberClientUrl);
        Endpoint.parse(newMemberPeerUrl);
        KeySpace keys = common.keys();
        if (keys.size() < 1) {
            throw new IllegalArgumentException("--key-space must be at least 1 key");
        }
        Map<String, Object> parameters = common.parameters();
        parameters.remove("total");
        parameters.put("newMemberPeerUrl", newMemberPeerUrl);
        parameters.put("newMemberClientUrl", newMemberClient.toString());
        parameters.put("pollIntervalMillis", pollInterval.toMillis());

        long loadStartNanos = System.nanoTime();
        try (ChannelPool pool = common.openChannels()) {
            Preloader.preload(common, pool, keys);
        }
        double loadSeconds = (System.nanoTime() - loadStartNanos) / 1e9;

        List<ManagedChannel> members = new ArrayList<>();
        ManagedChannel newMember = channel(newMemberClient);
        try {
            for (Endpoint endpoint : common.endpointList()) {
                members.add(channel(endpoint));
            }
            ClusterLeader.Found leader = ClusterLeader.find(members);
            long memberAddSentUnixNanos = CatchUpPoller.unixNanosNow();
            MemberAddResponse added = ClusterGrpc.newBlockingStub(members.get(leader.index()))
                    .withDeadlineAfter(memberAddTimeoutMillis, TimeUnit.MILLISECONDS)
                    .memberAdd(MemberAddRequest.newBuilder().addPeerURLs(newMemberPeerUrl).build());
            long memberAddAnsweredUnixNanos = CatchUpPoller.unixNanosNow();
            String initialCluster = JoinHandshake.initialCluster(added, newMemberName);
            System.err.println("member-catchup: added member " + Long.toHexString(added.getMember().getID())
                    + "; start it with --initial-cluster-state=existing --initial-cluster=" + initialCluster);
            JoinHandshake.writeInitialCluster(initialClusterFile, initialCluster);
            JoinHandshake.Started started = JoinHandshake.awaitStarted(startedFile, startTimeout);

            CatchUpPoller.Outcome outcome = new CatchUpPoller(newMember, keys.key(keys.size() - 1), leader.revision())
                    .run(pollInterval, attemptTimeout, catchUpTimeout);
            long newMemberRssKiB = outcome.caughtUp() ? ServerMemory.rssKiB(started.pid()) : -1;

            LatencyStats catchUp = new LatencyStats(-1);
            if (outcome.caughtUp()) {
                catchUp.recordNanos(outcome.caughtUpUnixNanos() - started.launchedAtUnixNanos());
            } else {
                catchUp.recordError(new IllegalStateException("the new member did not reach revision " + leader.revision()
                        + " in " + catchUpTimeout.toSeconds() + "s (highest seen " + outcome.highestRevision()
                        + (outcome.lastError() != null ? "; last error: " + outcome.lastError() : "") + ")"));
            }
            catchUp.drain();
            Summary summary = new Summary("member-catchup", parameters);
            BenchRun.finish(summary, catchUp, (CatchUpPoller.unixNanosNow() - started.launchedAtUnixNanos()) / 1e9);
            summary.extra("keysLoaded", keys.size())
                    .extra("loadSeconds", Summary.round(loadSeconds, 3))
                    .extra("leaderRevision", leader.revision())
                    .extra("newMemberId", Long.toHexString(added.getMember().getID()))
                    .extra("memberAddMs", millisBetween(memberAddSentUnixNanos, memberAddAnsweredUnixNanos))
                    .extra("startAfterMemberAddMs", millisBetween(memberAddAnsweredUnixNanos, started.launchedAtUnixNanos()))
                    .extra("firstAnswerFromStartMs", outcome.firstAnswerUnixNanos() == 0 ? null
                            : millisBetween(started.launchedAtUnixNanos(), outcome.firstAnswerUnixNanos()))
                    .extra("catchUpFromStartMs", outcome.caughtUp()
                            ? millisBetween(started.launchedAtUnixNanos(), outcome.caughtUpUnixNanos()) : null)
                    .extra("catchUpFromMemberAddMs", outcome.caughtUp()
                            ? millisBetween(memberAddSentUnixNanos, outcome.caughtUpUnixNanos()) : null)
                    .extra("newMemberRssKiB", newMemberRssKiB >= 0 ? newMemberRssKiB : null)
                    .extra("polls", outcome.polls());
            return BenchRun.print(summary);
        } finally {
            newMember.shutdownNow();
            for (ManagedChannel member : members) {
                member.shutdownNow();
            }
        }
    }

    private static ManagedChannel channel(Endpoint endpoint) {
        return NettyChannelBuilder.forAddress(endpoint.host(), endpoint.port()).usePlaintext().build();
    }

    private static double millisBetween(long fromUnixNanos, long toUnixNanos) {
        return Summary.round((toUnixNanos - fromUnixNanos) / 1e6, 1);
    }
}
