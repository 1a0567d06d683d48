package io.strata.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The normaliser hides what differs between clusters and nothing that must match. */
class EtcdctlOutputNormaliserTest {
    private final EtcdctlOutputNormaliser first =
            new EtcdctlOutputNormaliser(List.of("http://127.0.0.1:2379"), List.of("http://127.0.0.1:2380"));
    private final EtcdctlOutputNormaliser second =
            new EtcdctlOutputNormaliser(List.of("http://127.0.0.1:41001"), List.of("http://127.0.0.1:41002"));

    @Test
    void identitiesRaftProgressSizesAndVersionsBecomePlaceholders() {
        String a = "[{\"Endpoint\":\"http://127.0.0.1:2379\",\"Status\":{\"header\":{\"cluster_id\":111,\"member_id\":222,"
                + "\"revision\":13,\"raft_term\":2},\"version\":\"3.5.30\",\"dbSize\":20480,\"leader\":222,"
                + "\"raftIndex\":14,\"raftTerm\":2,\"raftAppliedIndex\":14,\"dbSizeInUse\":16384}}]";
        String b = "[{\"Endpoint\":\"http://127.0.0.1:41001\",\"Status\":{\"header\":{\"cluster_id\":999,\"member_id\":888,"
                + "\"revision\":13,\"raft_term\":5},\"version\":\"3.5.0\",\"dbSize\":1,\"leader\":888,"
                + "\"raftIndex\":3,\"raftTerm\":5,\"raftAppliedIndex\":3,\"dbSizeInUse\":1}}]";

        assertThat(first.normalise(a)).isEqualTo(second.normalise(b)).contains("\"leader\":\"<member-0>\"");
    }

    @Test
    void aLeaderOtherThanTheMemberAskedStaysVisible() {
        String selfLed = "{\"member_id\":222,\"leader\":222}";
        String ledByOther = "{\"member_id\":888,\"leader\":777}";

        assertThat(first.normalise(selfLed)).isNotEqualTo(second.normalise(ledByOther));
    }

    @Test
    void revisionsVersionsValuesAndErrorsStay() {
        String kv = "{\"header\":{\"cluster_id\":1,\"member_id\":2,\"revision\":8,\"raft_term\":2},"
                + "\"kvs\":[{\"key\":\"Zm9v\",\"create_revision\":2,\"mod_revision\":3,\"version\":2,\"value\":\"YmFy\"}]}";

        assertThat(first.normalise(kv)).contains("\"revision\":8", "\"create_revision\":2", "\"mod_revision\":3",
                "\"version\":2", "\"value\":\"YmFy\"");
        assertThat(first.normalise(kv)).isNotEqualTo(second.normalise(kv.replace("\"revision\":8", "\"revision\":9")));
    }

    @Test
    void clientLogLinesLoseTimesAndAddressesButKeepTheError() {
        String a = "{\"level\":\"warn\",\"ts\":\"2026-11-24T16:00:19.704205Z\",\"target\":\"etcd-endpoints://0x1/127.0.0.1:2379\","
                + "\"peer\":\"Peer{Addr: '127.0.0.1:2379'}\",\"error\":\"rpc error: code = NotFound desc = x\"}";
        String b = "{\"level\":\"warn\",\"ts\":\"2026-11-24T17:00:00.000001Z\",\"target\":\"etcd-endpoints://0x2/127.0.0.1:41001\","
                + "\"peer\":\"Peer{Addr: '127.0.0.1:41001'}\",\"error\":\"rpc error: code = NotFound desc = x\"}";

        assertThat(first.normalise(a)).isEqualTo(second.normalise(b)).contains("code = NotFound desc = x");
    }

    @Test
    void urlsAreMatchedWholeAndDurationsHidden() {
        assertThat(first.normalise("http://127.0.0.1:23790 http://127.0.0.1:2379 is healthy: took = 2.556742ms"))
                .isEqualTo("http://127.0.0.1:23790 <client-url-0> is healthy: took = <duration>");
    }
}
