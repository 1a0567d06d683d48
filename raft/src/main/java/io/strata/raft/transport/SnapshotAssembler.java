package io.strata.raft.transport;

import com.google.protobuf.ByteString;
import io.strata.raft.proto.Message;
import io.strata.raft.proto.MessageType;
import io.strata.raft.transport.proto.SnapshotChunk;

/**
 * Puts one snapshot message back together from its chunks. The chunks must come in order and
 * without gaps; anything else is a broken sender, refused rather than guessed at.
 */
final class SnapshotAssembler {
  private Message header;
  private long totalBytes;
  // Invariant: receivedBytes <= totalBytes once the header is known.
  private long receivedBytes;
  private ByteString data = ByteString.EMPTY;

  /** Adds the next chunk; throws {@link IllegalArgumentException} if it does not fit. */
  void add(SnapshotChunk chunk) {
    if (header == null) {
      if (!chunk.hasMessage() || chunk.getMessage().getType() != MessageType.MSG_SNAP) {
        throw new IllegalArgumentException("the first snapshot chunk must carry the MSG_SNAP message");
      }
      if (!chunk.getMessage().getSnapshot().getData().isEmpty()) {
        throw new IllegalArgumentException("the snapshot message must travel without its data");
      }
      header = chunk.getMessage();
      totalBytes = chunk.getTotalBytes();
    } else if (chunk.hasMessage()) {
      throw new IllegalArgumentException("only the first snapshot chunk may carry the message");
    }
    if (chunk.getOffset() != receivedBytes) {
      throw new IllegalArgumentException(
          "snapshot chunk at offset " + chunk.getOffset() + " but " + receivedBytes + " bytes were received");
    }
    long after = receivedBytes + chunk.getData().size();
    if (after > totalBytes || after < 0) {
      throw new IllegalArgumentException("snapshot chunks exceed the announced " + totalBytes + " bytes");
    }
    // Concatenation keeps the chunks as they are (a rope), so reassembly copies nothing.
    data = data.concat(chunk.getData());
    receivedBytes = after;
  }

  boolean started() {
    return header != null;
  }

  long receivedBytes() {
    return receivedBytes;
  }

  /** The whole message; throws {@link IllegalArgumentException} if chunks are missing. */
  Message message() {
    if (header == null) {
      throw new IllegalArgumentException("no snapshot chunk was received");
    }
    if (receivedBytes != totalBytes) {
      throw new IllegalArgumentException(
          "snapshot ended after " + receivedBytes + " of " + totalBytes + " bytes");
    }
    Message.Builder b = header.toBuilder();
    b.getSnapshotBuilder().setData(data);
    return b.build();
  }
}
