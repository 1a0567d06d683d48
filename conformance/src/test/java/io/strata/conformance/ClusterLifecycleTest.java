package io.strata.conformance;

import static io.strata.conformance.Jetcd.await;
import static io.strata.conformance.Jetcd.bytes;
import static io.strata.conformance.Jetcd.keys;
import static io.strata.conformance.Jetcd.values;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.cluster.Member;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.maintenance.StatusResponse;
import io.etcd.jetcd.options.GetOption;
import io.strata.conformance.harness.Cluster;
import io.strata.conformance.harness.JetcdClients;
import io.strata.conformance.harness.ServerKind;
import io.strata.conformance.harness.ServerProcess;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A three-member cluster: it forms, keeps data across a graceful restart and a kill of a member. */
class ClusterLifecycleTest {

    @Test
    void threeMembersAgreeOnOneLeaderAndKeepDataAcrossRestarts() {
        try (Cluster cluster = Cluster.start(ServerKind.target(), "ClusterLifecycleTest", 3);
                Client client = cluster.newClient()) {
            List<Member> members = await(client.getClusterClient().listMember()).getMembers();
            assertThat(members).extracting(Member::getName).containsExactlyInAnyOrder("member0", "member1", "member2");
            Set<Long> leaders = new HashSet<>();
            for (ServerProcess member : cluster.members()) {
                StatusResponse status = await(client.getMaintenanceClient().statusMember(member.clientUrl()));
                leaders.add(status.getLeader());
            }
            assertThat(leaders).hasSize(1).doesNotContain(0L);

            await(client.getKVClient().put(bytes("/lifecycle/before"), bytes("1")));
            cluster.member(1).stop();
            putRetrying(client, "/lifecycle/while-stopped", "2");
            cluster.member(1).start();
            cluster.member(2).kill9();
            putRetrying(client, "/lifecycle/while-killed", "3");
            cluster.member(2).restart();

            try (Client restarted = JetcdClients.forServer(cluster.member(2))) {
                GetResponse all = await(restarted.getKVClient().get(bytes("/lifecycle/"),
                        GetOption.builder().isPrefix(true).build()));
                assertThat(keys(all)).containsExactly("/lifecycle/before", "/lifecycle/while-killed",
                        "/lifecycle/while-stopped");
                assertThat(values(all)).containsExactly("1", "3", "2");
            }
        }
    }

    /**
     * A put sent while the leader is being replaced can fail with Unavailable (its outcome then
     * unknown) on etcd and Strata alike; clients retry it, and so does this test.
     */
    private static void putRetrying(Client client, String key, String value) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                client.getKVClient().put(bytes(key), bytes(value)).get(10, java.util.concurrent.TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("no put of " + key + " succeeded within 30 s", e);
                }
            }
        }
    }
}
