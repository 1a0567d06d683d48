package io.strata.bench;

import io.grpc.ManagedChannel;
import io.strata.api.etcdserverpb.MaintenanceGrpc;
import io.strata.api.etcdserverpb.StatusRequest;
import io.strata.api.etcdserverpb.StatusResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Which member leads, as each member's Status tells it ({@code etcdctl endpoint status}: the
 * leader is the member whose {@code member_id} every member names as {@code leader}).
 */
final class ClusterLeader {
    private static final long statusTimeoutMillis = 2_000;
    private static final long leaderWaitMillis = 30_000;
    private static final long retryMillis = 100;

    private ClusterLeader() {
    }

    /** What the members agreed on: the leader's index in the channel list and its revision. */
    record Found(int index, long revision) {
    }

    /** Waits until every member answers and all name the same leader, which is among them. */
    static Found find(List<ManagedChannel> channels) throws InterruptedException {
        long deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(leaderWaitMillis);
        String seen = "no answer";
        while (System.nanoTime() - deadlineNanos < 0) {
            try {
                StatusResponse[] statuses = new StatusResponse[channels.size()];
                for (int i = 0; i < channels.size(); i++) {
                    statuses[i] = MaintenanceGrpc.newBlockingStub(channels.get(i))
                            .withDeadlineAfter(statusTimeoutMillis, TimeUnit.MILLISECONDS)
                            .status(StatusRequest.getDefaultInstance());
                }
                long leader = agreedLeader(statuses);
                seen = "leader " + Long.toHexString(leader);
                for (int i = 0; leader != 0 && i < statuses.length; i++) {
                    if (statuses[i].getHeader().getMemberId() == leader) {
                        return new Found(i, statuses[i].getHeader().getRevision());
                    }
                }
            } catch (RuntimeException e) {
                seen = LatencyStats.describe(e);
            }
            Thread.sleep(retryMillis);
        }
        throw new IllegalStateException("the members did not agree on a leader in " + leaderWaitMillis + "ms (" + seen + ")");
    }

    /** The leader every status names, or 0 while some member knows none or they differ. */
    private static long agreedLeader(StatusResponse[] statuses) {
        long agreed = 0;
        for (StatusResponse status : statuses) {
            if (status.getLeader() == 0 || (agreed != 0 && agreed != status.getLeader())) {
                return 0;
            }
            agreed = status.getLeader();
        }
        return agreed;
    }
}
