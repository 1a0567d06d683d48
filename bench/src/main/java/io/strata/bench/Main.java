package io.strata.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code strata-bench}: load for any etcd v3 endpoint, modelled on etcd's {@code tools/benchmark}.
 * A progress line goes to stderr every second; the run's summary goes to stdout as JSON.
 */
@Command(name = "strata-bench", mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Drives an etcd v3 endpoint (Strata or etcd) with a workload and reports throughput and latency.",
        subcommands = {
            PutCommand.class,
            RangeCommand.class,
            TxnPutCommand.class,
            WatchLatencyCommand.class,
            WatchCreateCommand.class,
            LeaseKeepAliveCommand.class,
            MixedK8sCommand.class,
            LeaseRevokeCommand.class,
            FailoverCommand.class,
            MemberCatchUpCommand.class,
        })
public final class Main implements Runnable {
    /** Exit code of a malformed command line, as etcd's tools use. */
    static final int usageExitCode = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setExitCodeExceptionMapper(error ->
                error instanceof CommandLine.ParameterException || error instanceof IllegalArgumentException
                        ? usageExitCode : 1);
        commandLine.setExecutionExceptionHandler((error, cmd, parseResult) -> {
            cmd.getErr().println("strata-bench: " + LatencyStats.describe(error));
            cmd.getErr().flush();
            return error instanceof IllegalArgumentException ? usageExitCode : 1;
        });
        return commandLine;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a workload");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"strata-bench " + (version != null ? version : "(development build)")};
        }
    }
}
