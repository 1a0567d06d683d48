package io.strata.server.apply;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotSpillTest {
  @TempDir Path dir;

  @Test
  void theBytesWrittenAreReadBackAndNoFileStays() throws Exception {
    byte[] written = new byte[3 * 1024 * 1024 + 17];
    new Random(7).nextBytes(written);
    ByteString data = new SnapshotSpill(dir).write(out -> out.write(written));
    assertThat(data.toByteArray()).isEqualTo(written);
    assertThat(data.substring(1024, 2048)).isEqualTo(ByteString.copyFrom(written, 1024, 1024));
    try (var files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void anEmptySnapshotIsEmpty() throws Exception {
    assertThat(new SnapshotSpill(dir).write(out -> { }).isEmpty()).isTrue();
  }

  @Test
  void spillsLeftByACrashAreRemovedAndSnapshotFilesKept() throws Exception {
    Files.writeString(dir.resolve("state-123.spill"), "left over");
    Files.writeString(dir.resolve("0000000000000002-0000000000000400.snap"), "kept");
    new SnapshotSpill(dir);
    try (var files = Files.list(dir)) {
      assertThat(files).extracting(p -> p.getFileName().toString())
          .containsExactly("0000000000000002-0000000000000400.snap");
    }
  }
}
