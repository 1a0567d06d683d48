package io.strata.bench;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The connections the load goes over: {@code conns} channels, each its own TCP connection,
 * spread round-robin over the endpoints. Client {@code i} always uses channel
 * {@code i % conns}, so many in-flight requests share a connection as HTTP/2 streams.
 */
final class ChannelPool implements AutoCloseable {
    private static final int maxInboundMessageBytes = 64 * 1024 * 1024;
    private static final long shutdownWaitMillis = 2_000;

    private final List<ManagedChannel> channels;

    ChannelPool(List<Endpoint> endpoints, int conns) {
        if (conns < 1) {
            throw new IllegalArgumentException("--conns must be at least 1, got " + conns);
        }
        List<ManagedChannel> opened = new ArrayList<>(conns);
        for (int i = 0; i < conns; i++) {
            Endpoint endpoint = endpoints.get(i % endpoints.size());
            opened.add(NettyChannelBuilder.forAddress(endpoint.host(), endpoint.port())
                    .usePlaintext()
                    // Callbacks only record a time and start the next request; running them on
                    // the event loop saves a thread hand-off per request.
                    .directExecutor()
                    .maxInboundMessageSize(maxInboundMessageBytes)
                    .build());
        }
        this.channels = List.copyOf(opened);
    }

    ManagedChannel forClient(int client) {
        return channels.get(client % channels.size());
    }

    /** One stub per channel; client {@code i} uses {@code stubs.get(i % stubs.size())}. */
    <S> List<S> stubs(Function<Channel, S> newStub) {
        List<S> stubs = new ArrayList<>(channels.size());
        for (ManagedChannel channel : channels) {
            stubs.add(newStub.apply(channel));
        }
        return List.copyOf(stubs);
    }

    int size() {
        return channels.size();
    }

    @Override
    public void close() {
        for (ManagedChannel channel : channels) {
            channel.shutdownNow();
        }
        for (ManagedChannel channel : channels) {
            try {
                channel.awaitTermination(shutdownWaitMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
