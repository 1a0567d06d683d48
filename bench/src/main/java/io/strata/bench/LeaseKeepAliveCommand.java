package io.strata.bench;

import io.strata.api.etcdserverpb.LeaseGrantRequest;
import io.strata.api.etcdserverpb.LeaseGrantResponse;
import io.strata.api.etcdserverpb.LeaseGrpc;
import io.strata.api.etcdserverpb.LeaseKeepAliveRequest;
import io.strata.api.etcdserverpb.LeaseKeepAliveResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Keep-alive throughput: {@code --leases} leases are granted first (not timed, but how long it
 * took is reported as {@code grantSeconds}), then each client renews its share of them
 * round-robin over its own keep-alive stream, one renewal in flight.
 */
@Command(name = "lease-keepalive", mixinStandardHelpOptions = true,
        description = "Grants --leases leases, then renews them over keep-alive streams.")
final class LeaseKeepAliveCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--leases", description = "Leases to grant and renew (default: one per client).")
    Integer leases;

    @Option(names = "--ttl", defaultValue = "600",
            description = "TTL of the granted leases in seconds. Default: ${DEFAULT-VALUE}.")
    long ttlSeconds;

    @Override
    public Integer call() throws Exception {
        common.validate();
        int leaseCount = leases != null ? leases : common.clients;
        if (leaseCount < common.clients) {
            throw new IllegalArgumentException("--leases must be at least --clients (" + common.clients + ")");
        }
        Map<String, Object> parameters = common.parameters();
        parameters.put("leases", leaseCount);
        parameters.put("ttlSeconds", ttlSeconds);
        try (ChannelPool pool = common.openChannels()) {
            List<LeaseGrpc.LeaseStub> lease = pool.stubs(LeaseGrpc::newStub);
            AtomicLongArray ids = new AtomicLongArray(leaseCount);
            AtomicInteger granted = new AtomicInteger();
            long grantStartNanos = System.nanoTime();
            BenchRun.untimed("lease-grant", common, leaseCount, (client, done) -> {
                int slot = granted.getAndIncrement();
                lease.get(client % lease.size()).leaseGrant(LeaseGrantRequest.newBuilder().setTTL(ttlSeconds).build(),
                        UnaryObserver.of(done, (LeaseGrantResponse response) -> ids.set(slot, response.getID())));
            });
            double grantSeconds = (System.nanoTime() - grantStartNanos) / 1e9;
            // Client c renews leases c, c + clients, c + 2 * clients, ...
            int[] nextSlot = new int[common.clients];
            for (int client = 0; client < common.clients; client++) {
                nextSlot[client] = client;
            }
            try (ClientStreams<LeaseKeepAliveRequest, LeaseKeepAliveResponse> streams = new ClientStreams<>(
                    common.clients,
                    (client, responses) -> lease.get(client % lease.size()).leaseKeepAlive(responses),
                    response -> response.getTTL() > 0 ? ClientStreams.Outcome.SUCCEEDED : ClientStreams.Outcome.FAILED,
                    response -> "lease " + response.getID() + " not found")) {
                AsyncOp renew = (client, done) -> {
                    int slot = nextSlot[client];
                    nextSlot[client] = slot + common.clients < leaseCount ? slot + common.clients : client;
                    streams.send(client, LeaseKeepAliveRequest.newBuilder().setID(ids.get(slot)).build(), done);
                };
                Summary summary = BenchRun.closedLoop("lease-keepalive", common, parameters, renew);
                return BenchRun.print(summary.extra("grantSeconds", Summary.round(grantSeconds, 3)));
            }
        }
    }
}
