package io.strata.raft.transport;

import com.google.protobuf.ByteString;
import io.strata.raft.proto.Entry;
import io.strata.raft.proto.Message;
import io.strata.raft.proto.MessageType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Transports on loopback with ephemeral ports and quick reconnects, and messages to send. */
final class TransportFixtures {
  private TransportFixtures() {}

  static final long clusterId = 0xc1057e7L;
  static final Duration patience = Duration.ofSeconds(20);

  static TransportOptions options(long id, long cluster, int port) {
    return TransportOptions.defaults(id, cluster, List.of(URI.create("http://127.0.0.1:" + port)))
        .withReconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(100));
  }

  static PeerTransport started(TransportOptions options, MessageHandler handler) throws IOException {
    PeerTransport t = new PeerTransport(options, handler);
    t.start();
    return t;
  }

  static List<URI> urlsOf(PeerTransport t) {
    InetSocketAddress a = t.listenAddresses().get(0);
    return List.of(URI.create("http://127.0.0.1:" + a.getPort()));
  }

  static int portOf(PeerTransport t) {
    return t.listenAddresses().get(0).getPort();
  }

  static Message heartbeat(long from, long to, long commit) {
    return Message.newBuilder().setType(MessageType.MSG_HEARTBEAT).setFrom(from).setTo(to).setTerm(1)
        .setCommit(commit).build();
  }

  static Message append(long from, long to, long index, int payloadBytes) {
    return Message.newBuilder().setType(MessageType.MSG_APP).setFrom(from).setTo(to).setTerm(1).setIndex(index)
        .addEntries(Entry.newBuilder().setTerm(1).setIndex(index + 1)
            .setData(ByteString.copyFrom(new byte[payloadBytes])))
        .build();
  }

  /**
   * Waits for {@code condition}, checking often. Network tests cannot avoid waiting for the
   * network, but they wait for an outcome, never for a fixed time.
   */
  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + patience.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
