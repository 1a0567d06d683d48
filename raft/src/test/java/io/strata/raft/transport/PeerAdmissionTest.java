package io.strata.raft.transport;

import static io.strata.raft.transport.TransportFixtures.await;
import static io.strata.raft.transport.TransportFixtures.clusterId;
import static io.strata.raft.transport.TransportFixtures.heartbeat;
import static io.strata.raft.transport.TransportFixtures.options;
import static io.strata.raft.transport.TransportFixtures.started;
import static io.strata.raft.transport.TransportFixtures.urlsOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.strata.raft.transport.proto.MessageBatch;
import io.strata.raft.transport.proto.RaftPeerGrpc;
import io.strata.raft.transport.proto.StreamAck;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class PeerAdmissionTest {
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private <T extends AutoCloseable> T closeLater(T c) {
    open.add(c);
    return c;
  }

  /** Opens a stream to {@code target} claiming the given identity; returns how it ended, or OK if accepted. */
  private Status openStream(PeerTransport target, long cluster, long from, long to) throws Exception {
    ManagedChannel ch = PeerChannels.open(urlsOf(target).get(0), options(from, cluster, 0));
    try {
      CompletableFuture<Status> outcome = new CompletableFuture<>();
      StreamObserver<MessageBatch> requests = RaftPeerGrpc.newStub(ch)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(PeerIdentity.headers(cluster, from, to)))
          .stream(new StreamObserver<StreamAck>() {
            @Override
            public void onNext(StreamAck ack) {
              outcome.complete(Status.OK);
            }

            @Override
            public void onError(Throwable t) {
              outcome.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
              outcome.complete(Status.UNKNOWN.withDescription("completed without an answer"));
            }
          });
      Status s = outcome.get(10, TimeUnit.SECONDS);
      requests.onCompleted();
      return s;
    } finally {
      ch.shutdownNow();
    }
  }

  @Test
  void aStreamFromAnotherClusterIsRefused() throws Exception {
    RecordingHandler hb = new RecordingHandler();
    PeerTransport b = closeLater(started(options(2, clusterId, 0), hb));
    b.addPeer(1, List.of(java.net.URI.create("http://127.0.0.1:1")));

    Status s = openStream(b, clusterId + 1, 1, 2);
    assertThat(s.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(s.getDescription()).isEqualTo("cluster ID mismatch");
    assertThat(openStream(b, clusterId, 1, 2).getCode()).isEqualTo(Status.Code.OK);
  }

  @Test
  void aTransportOfAnotherClusterNeverDeliversAndReportsThePeerUnreachable() throws Exception {
    RecordingHandler ha = new RecordingHandler();
    RecordingHandler hb = new RecordingHandler();
    PeerTransport a = closeLater(started(options(1, clusterId + 1, 0), ha));
    PeerTransport b = closeLater(started(options(2, clusterId, 0), hb));
    a.addPeer(2, urlsOf(b));
    b.addPeer(1, urlsOf(a));
    await("messages to the foreign peer are reported unreachable", () -> {
      a.send(List.of(heartbeat(1, 2, 1)));
      return ha.unreachableCount(2) > 0;
    });
    assertThat(a.isActive(2)).isFalse();
    assertThat(hb.received).isEmpty();
  }

  @Test
  void aStreamMeantForAnotherMemberIsRefused() throws Exception {
    PeerTransport b = closeLater(started(options(2, clusterId, 0), new RecordingHandler()));
    b.addPeer(1, List.of(java.net.URI.create("http://127.0.0.1:1")));
    Status s = openStream(b, clusterId, 1, 3);
    assertThat(s.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(s.getDescription()).isEqualTo("raft ID mismatch");
  }

  @Test
  void aStreamFromAnUnknownMemberIsRefused() throws Exception {
    PeerTransport b = closeLater(started(options(2, clusterId, 0), new RecordingHandler()));
    Status s = openStream(b, clusterId, 7, 2);
    assertThat(s.getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(s.getDescription()).isEqualTo("error sender not found");
  }

  @Test
  void aRemovedMemberIsRefusedAndToldSo() throws Exception {
    RecordingHandler ha = new RecordingHandler();
    RecordingHandler hb = new RecordingHandler();
    PeerTransport a = closeLater(started(options(1, clusterId, 0), ha));
    PeerTransport b = closeLater(started(options(2, clusterId, 0), hb));
    a.addPeer(2, urlsOf(b));
    b.addPeer(1, urlsOf(a));
    await("peer is active", () -> a.isActive(2));

    b.removePeer(1);
    Status s = openStream(b, clusterId, 1, 2);
    assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(s.getDescription()).isEqualTo("rejected stream from remote peer because it was removed");
    // b also ends a's streams, so a learns of its removal when it redials.
    await("the removed member is told", () -> !ha.removedBy.isEmpty());
    assertThat(ha.removedBy).contains(2L);
    assertThat(a.isActive(2)).isFalse();
  }
}
