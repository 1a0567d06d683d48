package io.strata.mvcc;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.strata.api.mvccpb.KeyValue;
import java.io.IOException;

/**
 * What the revision map holds for one revision: a put (the key's whole {@link KeyValue} as of
 * that revision) or a tombstone (a {@link KeyValue} with only the key and the deleting
 * revision as {@code mod_revision}).
 *
 * <p>Byte layout: {@code kind:uint8 (0 = put, 1 = tombstone) | KeyValue protobuf bytes}.
 */
record StoredRecord(boolean tombstone, KeyValue kv) {
  private static final byte PUT = 0;
  private static final byte TOMBSTONE = 1;

  byte[] encode() {
    int size = kv.getSerializedSize();
    byte[] out = new byte[1 + size];
    out[0] = tombstone ? TOMBSTONE : PUT;
    CodedOutputStream cos = CodedOutputStream.newInstance(out, 1, size);
    try {
      kv.writeTo(cos);
    } catch (IOException e) {
      throw new IllegalStateException("encoding into an array failed", e);
    }
    cos.checkNoSpaceLeft();
    return out;
  }

  static StoredRecord decode(byte[] bytes) {
    Invariants.check(bytes.length >= 1 && (bytes[0] == PUT || bytes[0] == TOMBSTONE),
        "record of %d bytes has no valid kind", bytes.length);
    try {
      KeyValue kv = KeyValue.parser().parseFrom(bytes, 1, bytes.length - 1);
      return new StoredRecord(bytes[0] == TOMBSTONE, kv);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("stored record does not parse", e);
    }
  }
}
