package io.strata.raft.transport;

import static io.strata.raft.transport.TransportFixtures.await;
import static io.strata.raft.transport.TransportFixtures.clusterId;
import static io.strata.raft.transport.TransportFixtures.heartbeat;
import static io.strata.raft.transport.TransportFixtures.options;
import static io.strata.raft.transport.TransportFixtures.started;
import static io.strata.raft.transport.TransportFixtures.urlsOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.strata.raft.proto.ConfState;
import io.strata.raft.proto.Message;
import io.strata.raft.proto.MessageType;
import io.strata.raft.proto.Snapshot;
import io.strata.raft.proto.SnapshotMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class SnapshotTransferTest {
  private static final int mebibyte = 1024 * 1024;
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

  static Message snapshotMessage(long from, long to, int dataBytes, long seed) {
    byte[] data = new byte[dataBytes];
    new Random(seed).nextBytes(data);
    return Message.newBuilder().setType(MessageType.MSG_SNAP).setFrom(from).setTo(to).setTerm(3)
        .setSnapshot(Snapshot.newBuilder().setData(ByteString.copyFrom(data))
            .setMetadata(SnapshotMetadata.newBuilder().setIndex(42).setTerm(3)
                .setConfState(ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3))))
        .build();
  }

  @Test
  void aFiveMebibyteSnapshotIsChunkedAndReassembled() throws Exception {
    RecordingHandler ha = new RecordingHandler();
    RecordingHandler hb = new RecordingHandler();
    PeerTransport a = closeLater(started(options(1, clusterId, 0).withSnapshotChunkBytes(mebibyte), ha));
    PeerTransport b = closeLater(started(options(2, clusterId, 0), hb));
    a.addPeer(2, urlsOf(b));
    b.addPeer(1, urlsOf(a));
    Message snap = snapshotMessage(1, 2, 5 * mebibyte + 123, 7);
    a.send(List.of(snap));
    await("the snapshot was acknowledged", () -> !ha.snapshotStatuses.isEmpty());
    assertThat(ha.snapshotStatuses).containsExactly(new RecordingHandler.SnapshotStatus(2, false));
    assertThat(hb.received).hasSize(1);
    assertThat(hb.received.get(0)).isEqualTo(snap);
  }

  @Test
  void theSnapshotTravelsInChunksOfTheConfiguredSize() throws Exception {
    FakePeer fake = closeLater(new FakePeer(false, false));
    RecordingHandler h = new RecordingHandler();
    PeerTransport a = closeLater(started(options(1, clusterId, 0).withSnapshotChunkBytes(mebibyte), h));
    a.addPeer(2, fake.urls());
    a.send(List.of(snapshotMessage(1, 2, 5 * mebibyte + 123, 8)));
    await("the snapshot was acknowledged", () -> !h.snapshotStatuses.isEmpty());
    assertThat(fake.snapshotChunks).extracting(c -> c.getData().size())
        .containsExactly(mebibyte, mebibyte, mebibyte, mebibyte, mebibyte, 123);
    assertThat(fake.snapshotChunks).extracting(c -> c.getOffset())
        .containsExactly(0L, 1L * mebibyte, 2L * mebibyte, 3L * mebibyte, 4L * mebibyte, 5L * mebibyte);
    assertThat(fake.snapshotChunks.get(0).getTotalBytes()).isEqualTo(5L * mebibyte + 123);
    assertThat(fake.snapshotChunks.get(0).getMessage().getSnapshot().getData().isEmpty()).isTrue();
    assertThat(fake.snapshotChunks.subList(1, 6)).noneMatch(c -> c.hasMessage());
  }

  @Test
  void heartbeatsAreDeliveredWhileABigSnapshotIsStreaming() throws Exception {
    // The peer reads one chunk and then stops reading, so the snapshot stays in flight.
    FakePeer slow = closeLater(new FakePeer(false, true));
    RecordingHandler h = new RecordingHandler();
    PeerTransport a = closeLater(started(options(1, clusterId, 0).withSnapshotChunkBytes(mebibyte), h));
    a.addPeer(2, slow.urls());
    await("peer is active", () -> a.isActive(2));
    a.send(List.of(snapshotMessage(1, 2, 32 * mebibyte, 9)));
    await("the snapshot started", () -> slow.snapshotChunks.size() == 1);
    for (int i = 1; i <= 20; i++) {
      a.send(List.of(heartbeat(1, 2, i)));
    }
    await("heartbeats arrived", () -> slow.messages().size() == 20);
    assertThat(slow.messages()).extracting(Message::getCommit)
        .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 20).boxed().toList());
    assertThat(slow.snapshotChunks).hasSize(1);
    assertThat(h.snapshotStatuses).isEmpty();

    slow.resumeSnapshots();
    await("the snapshot was acknowledged", () -> !h.snapshotStatuses.isEmpty());
    assertThat(h.snapshotStatuses).containsExactly(new RecordingHandler.SnapshotStatus(2, false));
    assertThat(slow.snapshotChunks).hasSize(32);
  }

  @Test
  void aSnapshotToAPeerThatIsDownIsReportedFailed() throws Exception {
    FakePeer gone = new FakePeer(false, false);
    List<java.net.URI> urls = gone.urls();
    gone.close();
    RecordingHandler h = new RecordingHandler();
    PeerTransport a = closeLater(started(options(1, clusterId, 0), h));
    a.addPeer(2, urls);
    a.send(List.of(snapshotMessage(1, 2, 1000, 10)));
    await("the snapshot failed", () -> !h.snapshotStatuses.isEmpty());
    assertThat(h.snapshotStatuses).containsExactly(new RecordingHandler.SnapshotStatus(2, true));
    assertThat(h.unreachableCount(2)).isPositive();
  }
}
