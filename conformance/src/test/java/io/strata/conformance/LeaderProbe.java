package io.strata.conformance;

import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.StatusResponse;
import io.strata.conformance.harness.EtcdGrpc;
import io.strata.conformance.harness.ServerProcess;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Asks members for their status over Maintenance.Status, to find out who leads. */
final class LeaderProbe {
    static final Duration LEADER_TIMEOUT = Duration.ofSeconds(30);
    static final Duration STATUS_DEADLINE = Duration.ofSeconds(1);
    static final long POLL_MILLIS = 100;

    private LeaderProbe() {
    }

    /**
     * Waits until every member in {@code among} names the same leader, one of them, and returns
     * it. Members outside {@code among} (killed, cut off or removed) are not asked.
     */
    static ServerProcess awaitLeader(Collection<ServerProcess> among) throws InterruptedException {
        long deadline = System.nanoTime() + LEADER_TIMEOUT.toNanos();
        String lastSeen = "";
        while (System.nanoTime() < deadline) {
            Map<ServerProcess, StatusResponse> statuses = new LinkedHashMap<>();
            for (ServerProcess member : among) {
                StatusResponse status = status(member);
                if (status != null) {
                    statuses.put(member, status);
                }
            }
            lastSeen = statuses.entrySet().stream()
                    .map(e -> e.getKey().name() + ": leader " + Long.toHexString(e.getValue().getLeader()))
                    .collect(Collectors.joining(", "));
            if (statuses.size() == among.size()) {
                Set<Long> leaders = statuses.values().stream().map(StatusResponse::getLeader)
                        .collect(Collectors.toSet());
                for (Map.Entry<ServerProcess, StatusResponse> entry : statuses.entrySet()) {
                    long self = entry.getValue().getHeader().getMemberId();
                    if (leaders.size() == 1 && self == leaders.iterator().next()) {
                        return entry.getKey();
                    }
                }
            }
            Thread.sleep(POLL_MILLIS);
        }
        throw new AssertionError("members " + among + " did not agree on a leader among them within "
                + LEADER_TIMEOUT.toSeconds() + " s; last statuses: " + lastSeen);
    }

    /** The member's status, or null when it does not answer within {@link #STATUS_DEADLINE}. */
    static StatusResponse status(ServerProcess member) {
        try (EtcdGrpc grpc = EtcdGrpc.connect(member.clientUrl())) {
            return grpc.maintenance().withDeadlineAfter(STATUS_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                    .status(StatusRequest.getDefaultInstance());
        } catch (RuntimeException e) {
            return null;
        }
    }
}
