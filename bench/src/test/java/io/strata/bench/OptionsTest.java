package io.strata.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class OptionsTest {
    @Test
    void endpointsAreEtcdsCommaSeparatedClientUrls() {
        assertThat(Endpoint.parseList("http://127.0.0.1:2379, 127.0.0.1:22379"))
                .containsExactly(new Endpoint("127.0.0.1", 2379), new Endpoint("127.0.0.1", 22379));
    }

    @Test
    void tlsEndpointsAreRefusedRatherThanSpokenToInPlaintext() {
        assertThatThrownBy(() -> Endpoint.parse("https://127.0.0.1:2379"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("plaintext");
    }

    @Test
    void durationsReadLikeEtcdsFlags() {
        assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationConverter.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(DurationConverter.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThatThrownBy(() -> DurationConverter.parse("30"))
                .isInstanceOf(CommandLine.TypeConversionException.class);
    }

    @Test
    void commonFlagsAreParsedIntoTheSummaryParameters() {
        PutCommand put = new PutCommand();
        new CommandLine(put).parseArgs("--endpoints=http://127.0.0.1:23790", "--clients=100", "--conns=10",
                "--duration=10s", "--key-space-size=1000", "--sequential-keys");
        put.common.validate();
        assertThat(put.common.parameters())
                .containsEntry("clients", 100)
                .containsEntry("conns", 10)
                .containsEntry("durationSeconds", 10.0)
                .containsEntry("keySpace", 1000L)
                .containsEntry("valSize", 256)
                .doesNotContainKey("total");
        assertThat(put.sequentialKeys).isTrue();
    }

    @Test
    void totalAndDurationTogetherAreAUsageError() {
        StringWriter err = new StringWriter();
        CommandLine commandLine = Main.commandLine();
        commandLine.setErr(new PrintWriter(err));
        int exitCode = commandLine.execute("put", "--total=10", "--duration=1s");
        assertThat(exitCode).isEqualTo(Main.usageExitCode);
        assertThat(err.toString()).contains("--total or --duration");
    }

    @Test
    void anUnknownFlagIsAUsageError() {
        CommandLine commandLine = Main.commandLine();
        commandLine.setErr(new PrintWriter(new StringWriter()));
        assertThat(commandLine.execute("put", "--no-such-flag")).isEqualTo(Main.usageExitCode);
    }

    @Test
    void aCountBudgetLetsExactlyThatManyOperationsStart() {
        OpBudget budget = OpBudget.ofOps(3);
        budget.start(0);
        assertThat(new boolean[] {budget.tryAcquire(0), budget.tryAcquire(0), budget.tryAcquire(0), budget.tryAcquire(0)})
                .containsExactly(true, true, true, false);
    }

    @Test
    void aDurationBudgetEndsAtItsDeadline() {
        OpBudget budget = OpBudget.ofDuration(Duration.ofSeconds(1));
        budget.start(1_000);
        assertThat(budget.tryAcquire(1_000 + 999_999_999L)).isTrue();
        assertThat(budget.tryAcquire(1_000 + 1_000_000_000L)).isFalse();
    }
}
