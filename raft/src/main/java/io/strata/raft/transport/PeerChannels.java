package io.strata.raft.transport;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/** How a connection to a peer is built; one place, so that streams and snapshots agree. */
final class PeerChannels {
  private PeerChannels() {}

  static ManagedChannel open(URI url, TransportOptions options) {
    InetSocketAddress address = PeerUrls.socketAddress(url);
    long keepAliveMillis = options.keepAliveInterval().toMillis();
    return NettyChannelBuilder.forAddress(address.getHostString(), address.getPort())
        .usePlaintext()
        // Callbacks only record state and wake a sender thread, so they run on the event loop.
        .directExecutor()
        .maxInboundMessageSize(options.maxMessageBytes())
        .keepAliveTime(keepAliveMillis, TimeUnit.MILLISECONDS)
        .keepAliveTimeout(keepAliveMillis, TimeUnit.MILLISECONDS)
        .keepAliveWithoutCalls(true)
        .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
            options.dialTimeout().toMillis()))
        // Raft messages are fire-and-forget: a replay by gRPC would only deliver stale messages.
        .disableRetry()
        .build();
  }
}
