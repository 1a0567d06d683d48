package io.strata.server.config;

import java.util.List;

/** What the command line asks for: run the server, or print something and exit. */
public sealed interface ParseOutcome {

    /**
     * Start the server with {@code config}, after logging {@code notes} (warnings about flags
     * that are accepted but not implemented, environment variables used, and so on).
     */
    record Run(ServerConfig config, List<StartupNote> notes) implements ParseOutcome {
        public Run {
            notes = List.copyOf(notes);
        }
    }

    /**
     * Print {@code text} exactly as given (it ends with a newline) to stderr or stdout, then exit
     * with {@code exitCode}: 0 for {@code --help} and {@code --version}, 2 for a flag etcd would
     * not parse, 1 for a configuration etcd would refuse (then {@code text} is JSON log lines).
     */
    record PrintAndExit(String text, int exitCode, boolean toStderr) implements ParseOutcome {
    }
}
