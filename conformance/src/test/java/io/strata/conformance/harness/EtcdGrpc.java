package io.strata.conformance.harness;

import io.etcd.jetcd.api.ClusterGrpc;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.WatchGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/**
 * Plain gRPC stubs for etcd's services, for what jetcd's API hides: request fields it never
 * sets (ignore_value, ignore_lease) and the exact status code and message of an error.
 */
public final class EtcdGrpc implements AutoCloseable {
    static final long DEADLINE_SECONDS = 10;

    private final ManagedChannel channel;

    private EtcdGrpc(ManagedChannel channel) {
        this.channel = channel;
    }

    public static EtcdGrpc connect(String clientUrl) {
        URI uri = URI.create(clientUrl);
        return new EtcdGrpc(ManagedChannelBuilder.forAddress(uri.getHost(), uri.getPort()).usePlaintext().build());
    }

    public KVGrpc.KVBlockingStub kv() {
        return KVGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    public LeaseGrpc.LeaseBlockingStub lease() {
        return LeaseGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    public MaintenanceGrpc.MaintenanceBlockingStub maintenance() {
        return MaintenanceGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    public ClusterGrpc.ClusterBlockingStub cluster() {
        return ClusterGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    /** The channel itself, for calls that jetcd's copy of etcd's protobufs lacks (LeaseLeases). */
    public io.grpc.Channel channel() {
        return channel;
    }

    /**
     * The asynchronous Watch stub, without a deadline: a watch stream lives as long as its
     * caller keeps it open.
     */
    public WatchGrpc.WatchStub watch() {
        return WatchGrpc.newStub(channel);
    }

    /** The asynchronous Lease stub, for the LeaseKeepAlive stream; no deadline, as for watch(). */
    public LeaseGrpc.LeaseStub leaseStreams() {
        return LeaseGrpc.newStub(channel);
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
