package io.strata.conformance.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * Which process owns the client end of a loopback TCP connection, read from Linux's /proc.
 * Every member connects from 127.0.0.1, so the source address cannot tell members apart; the
 * socket's inode, found by its port pair in /proc/net/tcp(6), and the open files of a member's
 * processes can.
 */
final class SocketOwners {
    private static final List<Path> TCP_TABLES = List.of(Paths.get("/proc/net/tcp"), Paths.get("/proc/net/tcp6"));

    private SocketOwners() {}

    /**
     * Whether one of {@code pids} holds the socket bound to {@code localPort} and connected to
     * {@code remotePort}.
     */
    static boolean isOwnedBy(int localPort, int remotePort, List<Long> pids) {
        long inode = inodeOf(localPort, remotePort);
        if (inode <= 0) {
            return false;
        }
        String link = "socket:[" + inode + "]";
        for (long pid : pids) {
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(Paths.get("/proc", Long.toString(pid), "fd"))) {
                for (Path fd : fds) {
                    try {
                        if (Files.readSymbolicLink(fd).toString().equals(link)) {
                            return true;
                        }
                    } catch (IOException e) {
                        // The descriptor closed while listing; it was not the one.
                    }
                }
            } catch (IOException e) {
                // The process exited; it owns nothing.
            }
        }
        return false;
    }

    /** The inode of the socket bound to {@code localPort} and connected to {@code remotePort}, or 0. */
    static long inodeOf(int localPort, int remotePort) {
        for (Path table : TCP_TABLES) {
            List<String> lines;
            try {
                lines = Files.readAllLines(table, StandardCharsets.US_ASCII);
            } catch (IOException e) {
                continue;
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 9 && port(fields[1]) == localPort && port(fields[2]) == remotePort) {
                    return Long.parseLong(fields[9]);
                }
            }
        }
        return 0;
    }

    private static int port(String hexAddressAndPort) {
        return Integer.parseInt(hexAddressAndPort.substring(hexAddressAndPort.indexOf(':') + 1), 16);
    }
}
