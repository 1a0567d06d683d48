package io.strata.raft.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.strata.raft.proto.Message;
import io.strata.raft.proto.MessageType;
import io.strata.raft.transport.proto.SnapshotChunk;
import org.junit.jupiter.api.Test;

class SnapshotAssemblerTest {
  private static final Message header = Message.newBuilder().setType(MessageType.MSG_SNAP).setFrom(1).setTo(2).build();

  private static SnapshotChunk first(long total, String data) {
    return SnapshotChunk.newBuilder().setMessage(header).setTotalBytes(total)
        .setData(ByteString.copyFromUtf8(data)).build();
  }

  private static SnapshotChunk next(long offset, String data) {
    return SnapshotChunk.newBuilder().setOffset(offset).setData(ByteString.copyFromUtf8(data)).build();
  }

  @Test
  void chunksInOrderMakeTheWholeMessage() {
    SnapshotAssembler a = new SnapshotAssembler();
    a.add(first(9, "abc"));
    a.add(next(3, "def"));
    a.add(next(6, "ghi"));
    Message m = a.message();
    assertThat(m.getSnapshot().getData().toStringUtf8()).isEqualTo("abcdefghi");
    assertThat(m.getFrom()).isEqualTo(1);
  }

  @Test
  void aGapIsRefused() {
    SnapshotAssembler a = new SnapshotAssembler();
    a.add(first(9, "abc"));
    assertThatThrownBy(() -> a.add(next(4, "efg"))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void moreDataThanAnnouncedIsRefused() {
    SnapshotAssembler a = new SnapshotAssembler();
    a.add(first(4, "abc"));
    assertThatThrownBy(() -> a.add(next(3, "de"))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aTruncatedSnapshotIsRefused() {
    SnapshotAssembler a = new SnapshotAssembler();
    a.add(first(9, "abc"));
    assertThatThrownBy(a::message).hasMessageContaining("3 of 9");
  }

  @Test
  void theFirstChunkMustCarryTheSnapshotMessage() {
    SnapshotAssembler a = new SnapshotAssembler();
    assertThatThrownBy(() -> a.add(next(0, "abc"))).isInstanceOf(IllegalArgumentException.class);
    SnapshotAssembler b = new SnapshotAssembler();
    SnapshotChunk heartbeat = SnapshotChunk.newBuilder()
        .setMessage(header.toBuilder().setType(MessageType.MSG_HEARTBEAT)).build();
    assertThatThrownBy(() -> b.add(heartbeat)).isInstanceOf(IllegalArgumentException.class);
  }
}
