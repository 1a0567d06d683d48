package io.strata.raft.transport;

import static io.strata.raft.transport.TransportFixtures.append;
import static io.strata.raft.transport.TransportFixtures.await;
import static io.strata.raft.transport.TransportFixtures.clusterId;
import static io.strata.raft.transport.TransportFixtures.heartbeat;
import static io.strata.raft.transport.TransportFixtures.options;
import static io.strata.raft.transport.TransportFixtures.portOf;
import static io.strata.raft.transport.TransportFixtures.started;
import static io.strata.raft.transport.TransportFixtures.urlsOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.strata.raft.proto.Message;
import io.strata.raft.proto.MessageType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class PeerTransportTest {
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

  @Test
  void threeMembersExchangeMessagesInOrder() throws Exception {
    RecordingHandler[] handlers = new RecordingHandler[4];
    PeerTransport[] t = new PeerTransport[4];
    for (int id = 1; id <= 3; id++) {
      handlers[id] = new RecordingHandler();
      t[id] = closeLater(started(options(id, clusterId, 0), handlers[id]));
    }
    for (int id = 1; id <= 3; id++) {
      for (int peer = 1; peer <= 3; peer++) {
        if (peer != id) {
          t[id].addPeer(peer, urlsOf(t[peer]));
        }
      }
    }
    // A lane drops what is queued while its peer is unreachable (Raft resends what matters), so
    // the ordering check starts once every stream is up; a slow first dial must not fail it.
    for (int id = 1; id <= 3; id++) {
      int self = id;
      await("member " + id + " sees its peers active",
          () -> t[self].isActive(self % 3 + 1) && t[self].isActive((self + 1) % 3 + 1));
    }
    int count = 300;
    for (int i = 0; i < count; i++) {
      for (int id = 1; id <= 3; id++) {
        List<Message> out = new ArrayList<>();
        for (int peer = 1; peer <= 3; peer++) {
          if (peer != id) {
            out.add(append(id, peer, i, 16));
          }
        }
        t[id].send(out);
      }
    }
    for (int id = 1; id <= 3; id++) {
      RecordingHandler h = handlers[id];
      await("member " + id + " received everything", () -> h.received.size() == 2 * count);
      for (int from = 1; from <= 3; from++) {
        if (from != id) {
          assertThat(h.receivedFrom(from)).extracting(Message::getIndex)
              .containsExactlyElementsOf(java.util.stream.LongStream.range(0, count).boxed().toList());
          assertThat(h.receivedFrom(from)).allMatch(m -> m.getTo() == h.received.get(0).getTo());
        }
      }
    }
    for (int id = 1; id <= 3; id++) {
      int self = id;
      await("member " + id + " sees its peers active",
          () -> t[self].isActive(self % 3 + 1) && t[self].isActive((self + 1) % 3 + 1));
    }
  }

  @Test
  void everythingQueuedForAPeerTravelsInOneBatch() throws Exception {
    FakePeer fake = closeLater(new FakePeer(true, false));
    RecordingHandler h = new RecordingHandler();
    PeerTransport a = closeLater(started(options(1, clusterId, 0).withDialTimeout(Duration.ofSeconds(30)), h));
    a.addPeer(2, fake.urls());
    await("both lanes dialled", () -> fake.heldStreams() == 2);
    List<Message> out = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      out.add(append(1, 2, i, 100));
    }
    a.send(out);
    fake.acceptStreams();
    await("the appends arrived", () -> fake.messages().size() == 50);
    assertThat(fake.batches).hasSize(1);
    assertThat(fake.batches.get(0).getMessagesList()).isEqualTo(out);
    assertThat(h.unreachableCount(2)).isZero();
  }

  @Test
  void oneSendToAnOpenPeerLeavesAsOneBatchPerLaneInOrder() throws Exception {
    FakePeer fake = closeLater(new FakePeer(false, false));
    RecordingHandler h = new RecordingHandler();
    PeerTransport a = closeLater(started(options(1, clusterId, 0), h));
    a.addPeer(2, fake.urls());
    await("peer is active", () -> a.isActive(2));
    List<Message> out = List.of(heartbeat(1, 2, 1), append(1, 2, 1, 10), heartbeat(1, 2, 2), append(1, 2, 2, 10),
        append(1, 2, 3, 10));
    a.send(out);
    await("the messages arrived", () -> fake.messages().size() == out.size());
    assertThat(fake.batches).hasSize(2);
    List<Message> appends = fake.batches.stream().filter(b -> b.getMessages(0).getType() == MessageType.MSG_APP)
        .findFirst().orElseThrow().getMessagesList();
    List<Message> others = fake.batches.stream().filter(b -> b.getMessages(0).getType() != MessageType.MSG_APP)
        .findFirst().orElseThrow().getMessagesList();
    assertThat(appends).containsExactly(out.get(1), out.get(3), out.get(4));
    assertThat(others).containsExactly(out.get(0), out.get(2));
    assertThat(h.unreachableCount(2)).isZero();
  }

  @Test
  void sendsFasterThanTheStreamDrainsArriveCompleteAndInOrder() throws Exception {
    // Appends larger than gRPC's ready threshold make the stream push back now and then, so that
    // some sends are written at once and others wait in the backlog behind older ones.
    FakePeer fake = closeLater(new FakePeer(false, false));
    RecordingHandler h = new RecordingHandler();
    PeerTransport a = closeLater(started(options(1, clusterId, 0), h));
    a.addPeer(2, fake.urls());
    await("peer is active", () -> a.isActive(2));
    List<Message> out = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      Message m = append(1, 2, i, 20_000);
      out.add(m);
      a.send(List.of(m));
    }
    await("every append arrived", () -> fake.messages().size() == out.size());
    assertThat(fake.messages()).isEqualTo(out);
    assertThat(h.unreachableCount(2)).isZero();
  }

  @Test
  void aFullQueueDropsAndReportsUnreachableWithoutBlocking() throws Exception {
    // The peer never accepts the stream, so nothing leaves the queue.
    FakePeer blackHole = closeLater(new FakePeer(true, false));
    RecordingHandler h = new RecordingHandler();
    TransportOptions opts = options(1, clusterId, 0).withDialTimeout(Duration.ofSeconds(30)).withSendQueueMessages(8);
    PeerTransport a = closeLater(started(opts, h));
    a.addPeer(2, blackHole.urls());
    await("both lanes dialled", () -> blackHole.heldStreams() == 2);
    List<Message> out = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      out.add(append(1, 2, i, 10));
    }
    a.send(out);
    // Reported on the calling thread, before send returned.
    assertThat(h.unreachableCount(2)).isEqualTo(92);
    assertThat(a.isActive(2)).isFalse();
  }

  @Test
  void aStoppedPeerIsReportedGoneOnceUntilItIsBack() throws Exception {
    RecordingHandler ha = new RecordingHandler();
    PeerTransport a = closeLater(started(options(1, clusterId, 0), ha));
    PeerTransport b = started(options(2, clusterId, 0), new RecordingHandler());
    int portB = portOf(b);
    a.addPeer(2, urlsOf(b));
    b.addPeer(1, urlsOf(a));
    await("peer is active", () -> a.isActive(2));
    assertThat(ha.gone).isEmpty();

    b.close();
    await("stopped peer reported gone", () -> !ha.gone.isEmpty());
    // Redials go on being refused; the report is not repeated for them.
    Thread.sleep(500);
    assertThat(ha.gone).containsExactly(2L);

    PeerTransport b2 = started(options(2, clusterId, portB), new RecordingHandler());
    b2.addPeer(1, urlsOf(a));
    await("peer is active again", () -> a.isActive(2));
    assertThat(ha.gone).containsExactly(2L);
    b2.close();
    await("stopped again, reported again", () -> ha.gone.size() == 2);
  }

  @Test
  void aRestartedPeerIsReconnectedAndMessagesFlowAgain() throws Exception {
    RecordingHandler ha = new RecordingHandler();
    RecordingHandler hb = new RecordingHandler();
    PeerTransport a = closeLater(started(options(1, clusterId, 0), ha));
    PeerTransport b = started(options(2, clusterId, 0), hb);
    int portB = portOf(b);
    a.addPeer(2, urlsOf(b));
    b.addPeer(1, urlsOf(a));
    // Sent once the streams are up: a first dial slower than the dial timeout (a cold JVM)
    // would drop it, as the lane is meant to.
    await("peer is active", () -> a.isActive(2));
    a.send(List.of(heartbeat(1, 2, 1)));
    await("first heartbeat arrived", () -> hb.received.size() == 1);

    b.close();
    await("peer became inactive", () -> !a.isActive(2));
    await("messages to the stopped peer are reported unreachable", () -> {
      a.send(List.of(heartbeat(1, 2, 2)));
      return ha.unreachableCount(2) > 0;
    });

    RecordingHandler hb2 = new RecordingHandler();
    PeerTransport b2 = closeLater(started(options(2, clusterId, portB), hb2));
    b2.addPeer(1, urlsOf(a));
    await("peer is active again", () -> a.isActive(2));
    a.send(List.of(heartbeat(1, 2, 3), append(1, 2, 7, 10)));
    await("messages flow again", () -> hb2.received.size() == 2);
    assertThat(hb2.received).extracting(Message::getType)
        .containsExactlyInAnyOrder(MessageType.MSG_HEARTBEAT, MessageType.MSG_APP);
  }

  @Test
  void messagesToUnknownPeersAreIgnored() throws Exception {
    RecordingHandler h = new RecordingHandler();
    PeerTransport a = closeLater(started(options(1, clusterId, 0), h));
    a.send(List.of(heartbeat(1, 9, 1)));
    assertThat(h.unreachable).isEmpty();
    assertThat(a.isActive(9)).isFalse();
  }
}
