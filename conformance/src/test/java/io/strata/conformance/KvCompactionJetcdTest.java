package io.strata.conformance;

import static io.strata.conformance.Jetcd.assertGrpcFails;
import static io.strata.conformance.Jetcd.assertJetcdFails;
import static io.strata.conformance.Jetcd.await;
import static io.strata.conformance.Jetcd.bytes;
import static io.strata.conformance.Jetcd.values;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.api.CompactionRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.kv.CompactResponse;
import io.etcd.jetcd.options.CompactOption;
import io.etcd.jetcd.options.GetOption;
import io.grpc.Status;
import io.strata.conformance.harness.ClusterExtension;
import io.strata.conformance.harness.EtcdGrpc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Compaction through jetcd: what stays readable, and the errors for reads and compactions at
 * revisions already compacted or not yet written.
 */
class KvCompactionJetcdTest {
    @RegisterExtension
    static final ClusterExtension SERVER = ClusterExtension.single();

    static final String COMPACTED = "etcdserver: mvcc: required revision has been compacted";
    static final String FUTURE_REVISION = "etcdserver: mvcc: required revision is a future revision";

    private static EtcdGrpc grpc;
    private KV kv;
    private String prefix;
    private long base;

    @BeforeAll
    static void connectGrpc() {
        grpc = SERVER.cluster().newGrpc();
    }

    @AfterAll
    static void closeGrpc() {
        if (grpc != null) {
            grpc.close();
        }
    }

    @BeforeEach
    void startOnOwnPrefix(TestInfo info) {
        kv = SERVER.client().getKVClient();
        prefix = "/compact/" + info.getTestMethod().orElseThrow().getName() + "/";
        base = await(kv.get(bytes("/compact-revision-probe"))).getHeader().getRevision();
    }

    @Test
    void readsBelowTheCompactedRevisionFailAndReadsAtOrAboveItSucceed() {
        await(kv.put(key("a"), bytes("1")));
        await(kv.put(key("a"), bytes("2")));
        await(kv.put(key("a"), bytes("3")));

        CompactResponse compacted = await(kv.compact(base + 2));

        assertThat(compacted.getHeader().getRevision()).isEqualTo(base + 3);
        assertJetcdFails(() -> kv.get(key("a"), GetOption.builder().withRevision(base + 1).build()),
                Status.Code.OUT_OF_RANGE, COMPACTED);
        assertGrpcFails(() -> grpc.kv().range(RangeRequest.newBuilder().setKey(raw("a")).setRevision(base + 1).build()),
                Status.Code.OUT_OF_RANGE, COMPACTED);
        assertThat(values(await(kv.get(key("a"), GetOption.builder().withRevision(base + 2).build()))))
                .containsExactly("2");
        assertThat(values(await(kv.get(key("a"))))).containsExactly("3");
        // Revision 0 means "now", never a compacted revision.
        assertThat(values(await(kv.get(key("a"), GetOption.builder().withRevision(0).build()))))
                .containsExactly("3");
    }

    @Test
    void compactingAgainAtOrBelowTheCompactedRevisionFails() {
        await(kv.put(key("a"), bytes("1")));
        await(kv.put(key("a"), bytes("2")));
        await(kv.compact(base + 2));

        assertJetcdFails(() -> kv.compact(base + 2), Status.Code.OUT_OF_RANGE, COMPACTED);
        assertJetcdFails(() -> kv.compact(base + 1), Status.Code.OUT_OF_RANGE, COMPACTED);
        assertThat(currentRevision()).isEqualTo(base + 2);
    }

    @Test
    void readsAndCompactionsAtFutureRevisionsFail() {
        await(kv.put(key("a"), bytes("1")));

        assertJetcdFails(() -> kv.get(key("a"), GetOption.builder().withRevision(base + 2).build()),
                Status.Code.OUT_OF_RANGE, FUTURE_REVISION);
        assertGrpcFails(() -> grpc.kv().range(RangeRequest.newBuilder().setKey(raw("a")).setRevision(base + 100).build()),
                Status.Code.OUT_OF_RANGE, FUTURE_REVISION);
        assertJetcdFails(() -> kv.compact(base + 2), Status.Code.OUT_OF_RANGE, FUTURE_REVISION);
        assertGrpcFails(() -> grpc.kv().compact(CompactionRequest.newBuilder().setRevision(base + 100).build()),
                Status.Code.OUT_OF_RANGE, FUTURE_REVISION);
    }

    @Test
    void physicalCompactionReturnsAfterItIsApplied() {
        await(kv.put(key("a"), bytes("1")));
        await(kv.delete(key("a")));
        await(kv.put(key("b"), bytes("2")));

        CompactResponse compacted = await(kv.compact(base + 3, CompactOption.builder().withCompactPhysical(true).build()));

        assertThat(compacted.getHeader().getRevision()).isEqualTo(base + 3);
        assertThat(await(kv.get(key("a"))).getKvs()).isEmpty();
        assertThat(values(await(kv.get(key("b"))))).containsExactly("2");
        assertThat(await(kv.get(key(""), GetOption.builder().isPrefix(true).withRevision(base + 3).build())).getCount())
                .isEqualTo(1);
        assertJetcdFails(() -> kv.get(key("a"), GetOption.builder().withRevision(base + 2).build()),
                Status.Code.OUT_OF_RANGE, COMPACTED);
    }

    @Test
    void compactionKeepsTheLatestVersionOfEveryLiveKeyWithItsHistory() {
        await(kv.put(key("a"), bytes("1")));
        await(kv.put(key("a"), bytes("2")));
        await(kv.put(key("b"), bytes("3")));
        await(kv.compact(base + 3));

        var a = await(kv.get(key("a"))).getKvs().get(0);
        assertThat(a.getCreateRevision()).isEqualTo(base + 1);
        assertThat(a.getModRevision()).isEqualTo(base + 2);
        assertThat(a.getVersion()).isEqualTo(2);
        await(kv.put(key("a"), bytes("4")));
        assertThat(await(kv.get(key("a"))).getKvs().get(0).getVersion()).isEqualTo(3);
    }

    private long currentRevision() {
        return await(kv.get(bytes("/compact-revision-probe"))).getHeader().getRevision();
    }

    private ByteSequence key(String name) {
        return bytes(prefix + name);
    }

    private ByteString raw(String name) {
        return ByteString.copyFromUtf8(prefix + name);
    }
}
