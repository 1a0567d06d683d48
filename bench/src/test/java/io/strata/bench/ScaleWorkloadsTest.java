package io.strata.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ScaleWorkloadsTest {
    @Test
    void residentMemoryOfThisProcessIsReadFromProc() {
        assertThat(ServerMemory.rssKiB(ProcessHandle.current().pid())).isPositive();
    }

    @Test
    void residentMemoryOfAProcessThatIsGoneIsMinusOne() {
        assertThat(ServerMemory.rssKiB(Long.MAX_VALUE)).isEqualTo(-1);
    }

    @Test
    void aRoundsKeysEndWhereItsPrefixEnds() {
        ByteString prefix = ByteString.copyFrom("lease-revoke/7/", StandardCharsets.US_ASCII);
        assertThat(LeaseRevokeCommand.prefixEnd(prefix).toStringUtf8()).isEqualTo("lease-revoke/70");
        assertThat(LeaseRevokeCommand.prefixEnd(ByteString.copyFrom(new byte[] {'a', (byte) 0xff})))
                .isEqualTo(ByteString.copyFrom(new byte[] {'b'}));
    }

    @Test
    void failoverNeedsOneProcessPerEndpoint() {
        StringWriter err = new StringWriter();
        picocli.CommandLine commandLine = Main.commandLine();
        commandLine.setErr(new PrintWriter(err));
        int exitCode = commandLine.execute("failover", "--endpoints=127.0.0.1:1,127.0.0.1:2", "--pids=1");
        assertThat(exitCode).isEqualTo(Main.usageExitCode);
        assertThat(err.toString()).contains("as many --pids");
    }

    @Test
    void leaseRevokeRoundsAreCountedNotTimed() {
        StringWriter err = new StringWriter();
        picocli.CommandLine commandLine = Main.commandLine();
        commandLine.setErr(new PrintWriter(err));
        int exitCode = commandLine.execute("lease-revoke", "--warmup=1s", "--endpoints=127.0.0.1:1");
        assertThat(exitCode).isEqualTo(Main.usageExitCode);
        assertThat(err.toString()).contains("no warm-up");
    }
}
