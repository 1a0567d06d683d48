package io.strata.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.etcdserverpb.Member;
import io.strata.api.etcdserverpb.MemberAddResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MemberCatchUpTest {
    @TempDir
    Path dir;

    @Test
    void initialClusterNamesTheNewMemberAndKeepsEveryPeerUrl() {
        Member added = Member.newBuilder().setID(4).addPeerURLs("http://127.0.0.1:24796").build();
        MemberAddResponse response = MemberAddResponse.newBuilder()
                .setMember(added)
                .addMembers(Member.newBuilder().setID(1).setName("bench-0").addPeerURLs("http://127.0.0.1:24790"))
                .addMembers(Member.newBuilder().setID(2).setName("bench-1")
                        .addPeerURLs("http://127.0.0.1:24792").addPeerURLs("http://10.0.0.2:2380"))
                .addMembers(added)
                .build();

        assertThat(JoinHandshake.initialCluster(response, "bench-3")).isEqualTo(
                "bench-0=http://127.0.0.1:24790,bench-1=http://127.0.0.1:24792,bench-1=http://10.0.0.2:2380,"
                        + "bench-3=http://127.0.0.1:24796");
    }

    @Test
    void theStartedFileGivesTheLaunchTimeAndThePid() {
        assertThat(JoinHandshake.parseStarted("1764000000123456789 4242\n"))
                .isEqualTo(new JoinHandshake.Started(1764000000123456789L, 4242));
        assertThatThrownBy(() -> JoinHandshake.parseStarted("4242"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("<pid>");
    }

    @Test
    void theInitialClusterFileAppearsWholeAndTheStartedFileIsReadOnceWritten() throws Exception {
        Path initialCluster = dir.resolve("initial-cluster");
        JoinHandshake.writeInitialCluster(initialCluster, "a=http://127.0.0.1:1");
        assertThat(Files.readString(initialCluster)).isEqualTo("a=http://127.0.0.1:1\n");
        assertThat(dir.resolve("initial-cluster.partial")).doesNotExist();

        Path started = dir.resolve("started");
        Files.writeString(started, "5 6\n");
        assertThat(JoinHandshake.awaitStarted(started, Duration.ofSeconds(1))).isEqualTo(new JoinHandshake.Started(5, 6));
    }

    @Test
    void theNewMembersUrlsAndTheHandOffFilesAreRequired() {
        CommandLine commandLine = Main.commandLine();
        commandLine.setErr(new java.io.PrintWriter(new java.io.StringWriter()));
        assertThat(commandLine.execute("member-catchup", "--new-member-name=bench-3")).isEqualTo(Main.usageExitCode);
    }
}
