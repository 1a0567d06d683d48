package io.strata.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The resident memory of a server process on this machine, read from {@code /proc}. Only a
 * server started next to the load tool can be measured this way; that is how
 * {@code bin/benchmark} runs, and it is the only way to see what a workload's state costs the
 * server rather than the client.
 */
final class ServerMemory {
    private ServerMemory() {
    }

    /** VmRSS of {@code pid} in KiB, or -1 when the process or its status file is gone. */
    static long rssKiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring("VmRSS:".length()).replace("kB", "").trim());
                }
            }
            return -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
