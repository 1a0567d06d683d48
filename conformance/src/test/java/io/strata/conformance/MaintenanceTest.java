package io.strata.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.cluster.Member;
import io.etcd.jetcd.cluster.MemberListResponse;
import io.etcd.jetcd.maintenance.StatusResponse;
import io.strata.conformance.harness.ClusterExtension;
import io.strata.conformance.harness.ServerProcess;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Status and MemberList of a single-member cluster, as jetcd sees them. */
class MaintenanceTest {
    @RegisterExtension
    static final ClusterExtension SERVER = ClusterExtension.single();

    private static final long TIMEOUT_SECONDS = 10;

    @Test
    void statusReportsVersionLeaderRaftProgressAndDatabaseSize() throws Exception {
        ServerProcess member = SERVER.cluster().member(0);
        StatusResponse before = SERVER.client().getMaintenanceClient().statusMember(member.clientUrl())
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

        SERVER.client().getKVClient()
                .put(bytes("/maintenance/status/key"), bytes("value"))
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        StatusResponse after = SERVER.client().getMaintenanceClient().statusMember(member.clientUrl())
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

        assertThat(after.getVersion()).startsWith("3.5.");
        assertThat(after.getHeader().getMemberId()).isNotZero();
        assertThat(after.getHeader().getClusterId()).isNotZero();
        assertThat(after.getLeader()).isEqualTo(after.getHeader().getMemberId());
        assertThat(after.getRaftTerm()).isGreaterThanOrEqualTo(1);
        assertThat(after.getRaftIndex()).isGreaterThan(before.getRaftIndex());
        assertThat(after.getRaftAppliedIndex()).isGreaterThanOrEqualTo(after.getRaftIndex());
        assertThat(after.getDbSize()).isPositive();
        assertThat(after.getDbSizeInUse()).isPositive().isLessThanOrEqualTo(after.getDbSize());
        assertThat(after.getErrorList()).isEmpty();
        assertThat(after.isLearner()).isFalse();
        assertThat(after.getHeader().getRevision()).isGreaterThan(before.getHeader().getRevision());
    }

    @Test
    void memberListShowsTheOneMemberWithItsNameAndUrls() throws Exception {
        ServerProcess member = SERVER.cluster().member(0);
        MemberListResponse list = SERVER.client().getClusterClient().listMember()
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        StatusResponse status = SERVER.client().getMaintenanceClient().statusMember(member.clientUrl())
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

        assertThat(list.getMembers()).hasSize(1);
        Member only = list.getMembers().get(0);
        assertThat(only.getId()).isEqualTo(status.getHeader().getMemberId());
        assertThat(only.getName()).isEqualTo(member.name());
        assertThat(only.getPeerURIs()).isEqualTo(List.of(URI.create(member.peerUrl())));
        assertThat(only.getClientURIs()).isEqualTo(List.of(URI.create(member.clientUrl())));
        assertThat(only.isLearner()).isFalse();
        assertThat(list.getHeader().getClusterId()).isEqualTo(status.getHeader().getClusterId());
        assertThat(list.getHeader().getMemberId()).isEqualTo(only.getId());
    }

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }
}
