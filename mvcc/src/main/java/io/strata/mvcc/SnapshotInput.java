package io.strata.mvcc;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.InputStream;

/**
 * A snapshot's bytes read as a stream that knows how far it has read. A restore given one (see
 * {@link MvccStore#beginRestore(MvccOptions, SnapshotInput)}) indexes the records where they lie
 * in those bytes instead of copying them into the store's maps, so the bytes must stay as they
 * are for as long as the store lives: a mapped snapshot file, which is never written again once
 * saved, or a heap copy.
 *
 * <p>It reads nothing ahead, so its position is exactly what its readers have taken; streams put
 * between it and the restore must not read ahead either (no buffering).
 */
public final class SnapshotInput extends InputStream {
  private final ByteString source;
  private final InputStream in;
  private long position;

  public SnapshotInput(ByteString source) {
    this.source = source;
    this.in = source.newInput();
  }

  ByteString source() {
    return source;
  }

  /** Bytes read so far: the offset in the source of the next byte. */
  long position() {
    return position;
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      position++;
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, len);
    if (n > 0) {
      position += n;
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    long skipped = in.skip(n);
    position += skipped;
    return skipped;
  }

  @Override
  public int available() throws IOException {
    return in.available();
  }
}
