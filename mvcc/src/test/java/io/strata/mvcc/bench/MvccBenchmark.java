package io.strata.mvcc.bench;

import com.google.protobuf.ByteString;
import io.strata.api.etcdserverpb.CompactionRequest;
import io.strata.api.etcdserverpb.PutRequest;
import io.strata.api.etcdserverpb.PutResponse;
import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.etcdserverpb.RangeResponse;
import io.strata.mvcc.MvccOptions;
import io.strata.mvcc.MvccStore;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The put path and the range path of the store with 100,000 keys present, shaped like
 * Kubernetes' registry: 1,000 prefixes of 100 keys each, 1 KiB values. The put benchmark
 * compacts every {@link #COMPACT_EVERY_PUTS} puts, as a live cluster does, so that history
 * stays bounded during long runs.
 *
 * <p>Run (from the repository root):
 * <pre>
 * ./mvnw -q -o -pl mvcc test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
 * java -cp mvcc/target/test-classes:mvcc/target/classes:$(cat mvcc/target/bench.cp) \
 *     io.strata.mvcc.bench.MvccBenchmark [JMH options, e.g. -f 1 -wi 2 -i 3 put]
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {
    "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "-Dchronicle.analytics.disable=true", "-Dchronicle.announcer.disable=true",
    "-Xmx2g"})
public class MvccBenchmark {
  static final int PREFIXES = 1000;
  static final int KEYS_PER_PREFIX = 100;
  static final int VALUE_BYTES = 1024;
  static final int COMPACT_EVERY_PUTS = 10_000;

  private MvccStore store;
  private ByteString value;
  private final ByteString[][] keys = new ByteString[PREFIXES][KEYS_PER_PREFIX];
  private final ByteString[][] prefixBounds = new ByteString[PREFIXES][2];
  private final SplittableRandom random = new SplittableRandom(42);
  private long puts;

  static ByteString key(int prefix, int i) {
    return ByteString.copyFromUtf8(
        String.format("/registry/pods/ns-%04d/pod-%03d", prefix, i));
  }

  static ByteString prefixStart(int prefix) {
    return ByteString.copyFromUtf8(String.format("/registry/pods/ns-%04d/", prefix));
  }

  static ByteString prefixEnd(int prefix) {
    return ByteString.copyFromUtf8(String.format("/registry/pods/ns-%04d0", prefix));
  }

  @Setup(Level.Trial)
  public void fill() {
    store = MvccStore.open(new MvccOptions(400_000, leaseId -> true));
    byte[] bytes = new byte[VALUE_BYTES];
    new java.util.Random(1).nextBytes(bytes);
    value = ByteString.copyFrom(bytes);
    for (int p = 0; p < PREFIXES; p++) {
      prefixBounds[p][0] = prefixStart(p);
      prefixBounds[p][1] = prefixEnd(p);
      for (int i = 0; i < KEYS_PER_PREFIX; i++) {
        keys[p][i] = key(p, i);
        store.put(PutRequest.newBuilder().setKey(keys[p][i]).setValue(value).build());
      }
    }
  }

  @TearDown(Level.Trial)
  public void close() {
    store.close();
  }

  @Benchmark
  public PutResponse put() {
    PutResponse resp = store.put(PutRequest.newBuilder()
        .setKey(keys[random.nextInt(PREFIXES)][random.nextInt(KEYS_PER_PREFIX)])
        .setValue(value).build());
    if (++puts % COMPACT_EVERY_PUTS == 0) {
      store.compact(CompactionRequest.newBuilder()
          .setRevision(store.currentRevision() - COMPACT_EVERY_PUTS / 2).build());
    }
    return resp;
  }

  @Benchmark
  public RangeResponse rangeSingleKey() {
    return store.range(RangeRequest.newBuilder()
        .setKey(keys[random.nextInt(PREFIXES)][random.nextInt(KEYS_PER_PREFIX)])
        .setLimit(1).build());
  }

  @Benchmark
  public RangeResponse rangePrefixOf100() {
    int p = random.nextInt(PREFIXES);
    return store.range(RangeRequest.newBuilder().setKey(prefixBounds[p][0])
        .setRangeEnd(prefixBounds[p][1]).build());
  }

  public static void main(String[] args) throws RunnerException, java.io.IOException {
    if (args.length > 0) {
      org.openjdk.jmh.Main.main(args);
      return;
    }
    new Runner(new OptionsBuilder().include(MvccBenchmark.class.getName()).build()).run();
  }
}
