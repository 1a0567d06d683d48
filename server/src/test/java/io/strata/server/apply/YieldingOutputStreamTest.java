package io.strata.server.apply;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class YieldingOutputStreamTest {
  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    new Random(3).nextBytes(b);
    return b;
  }

  @Test
  void passesEveryByteThroughAndNeverPausesWhileApplyingKeepsUp() throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    AtomicLong paused = new AtomicLong();
    byte[] data = bytes(5 * YieldingOutputStream.checkEveryBytes + 123);
    try (YieldingOutputStream out = new YieldingOutputStream(sink, () -> false, paused::addAndGet)) {
      out.write(data, 0, 1000);
      out.write(data[1000]);
      out.write(data, 1001, data.length - 1001);
    }
    assertThat(sink.toByteArray()).isEqualTo(data);
    assertThat(paused).hasValue(0);
  }

  @Test
  void pausesWhileApplyingLagsButNoLongerThanItsBound() throws IOException {
    AtomicBoolean lagging = new AtomicBoolean(true);
    AtomicLong paused = new AtomicLong();
    YieldingOutputStream out = new YieldingOutputStream(new ByteArrayOutputStream(), lagging::get, paused::addAndGet);
    out.write(bytes(YieldingOutputStream.checkEveryBytes - 1));
    assertThat(paused).hasValue(0);
    out.write(0);
    assertThat(paused).hasValue(YieldingOutputStream.maxPauseNanosPerCheck);

    // Applying catches up after three steps: the writer goes on at once.
    paused.set(0);
    AtomicLong checks = new AtomicLong();
    out = new YieldingOutputStream(new ByteArrayOutputStream(), () -> checks.incrementAndGet() <= 3, paused::addAndGet);
    out.write(bytes(YieldingOutputStream.checkEveryBytes));
    assertThat(paused).hasValue(3_000_000);
  }
}
