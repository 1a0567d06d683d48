package io.strata.server.apply;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The stream a snapshot is written through: every {@link #checkEveryBytes} it pauses for as
 * long as applying lags behind, up to {@link #maxPauseNanosPerCheck}. A snapshot is as large as
 * the store and competes for the same cores as the apply thread; without this, members whose
 * snapshots fall due together (they all count the same entries) let applying fall so far behind
 * that they refuse writes with "too many requests". The bound keeps a snapshot from being put
 * off for ever by a member that is always busy.
 */
final class YieldingOutputStream extends FilterOutputStream {
  static final int checkEveryBytes = 1 << 20;
  static final long maxPauseNanosPerCheck = 20_000_000;
  private static final long pauseStepNanos = 1_000_000;

  private final BooleanSupplier lagging;
  private final Pauser pauser;
  private long sinceCheck;

  /** Waits for about the nanoseconds given; a seam for tests. */
  interface Pauser {
    void pause(long nanos);
  }

  YieldingOutputStream(OutputStream out, BooleanSupplier lagging) {
    this(out, lagging, LockSupport::parkNanos);
  }

  YieldingOutputStream(OutputStream out, BooleanSupplier lagging, Pauser pauser) {
    super(out);
    this.lagging = lagging;
    this.pauser = pauser;
  }

  @Override
  public void write(int b) throws IOException {
    out.write(b);
    wrote(1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
    wrote(len);
  }

  /** Leaves the underlying stream open: its owner closes it. */
  @Override
  public void close() throws IOException {
    flush();
  }

  private void wrote(int bytes) {
    sinceCheck += bytes;
    if (sinceCheck < checkEveryBytes) {
      return;
    }
    sinceCheck = 0;
    for (long paused = 0; paused < maxPauseNanosPerCheck && lagging.getAsBoolean(); paused += pauseStepNanos) {
      pauser.pause(pauseStepNanos);
    }
  }
}
