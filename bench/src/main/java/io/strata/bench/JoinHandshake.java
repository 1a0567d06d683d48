package io.strata.bench;

import io.strata.api.etcdserverpb.Member;
import io.strata.api.etcdserverpb.MemberAddResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The hand-off between the load tool and whoever starts the new member's process (a script that
 * knows the server's binary and flags), through two files. After {@code MemberAdd} the tool
 * writes the new member's {@code --initial-cluster} value, as {@code etcdctl member add} prints
 * it; the starter launches the member with it and then writes the started file, one line
 * {@code <launch time in Unix nanoseconds> <pid>}. Both files are written whole and renamed into
 * place, so a reader never sees half of one.
 */
final class JoinHandshake {
    private static final long startedPollMillis = 5;

    private JoinHandshake() {
    }

    /** When the new member's process was launched, and which process it is. */
    record Started(long launchedAtUnixNanos, long pid) {
    }

    /**
     * The {@code --initial-cluster} value for the member {@code MemberAdd} just added: every
     * member's peer URLs under its name, the new member under {@code newName} (it has no name in
     * the answer until it publishes one). A member that has not started yet has no name either;
     * etcd's own tool lists it with an empty name, and so does this.
     */
    static String initialCluster(MemberAddResponse added, String newName) {
        long newId = added.getMember().getID();
        List<String> entries = new ArrayList<>();
        for (Member member : added.getMembersList()) {
            String name = member.getID() == newId ? newName : member.getName();
            for (String peerUrl : member.getPeerURLsList()) {
                entries.add(name + "=" + peerUrl);
            }
        }
        return String.join(",", entries);
    }

    static Started parseStarted(String line) {
        String[] fields = line.trim().split("\\s+");
        if (fields.length != 2) {
            throw new IllegalArgumentException("a started file holds '<launch time in Unix ns> <pid>', got '" + line.trim() + "'");
        }
        try {
            return new Started(Long.parseLong(fields[0]), Long.parseLong(fields[1]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a started file holds '<launch time in Unix ns> <pid>', got '" + line.trim() + "'", e);
        }
    }

    static void writeInitialCluster(Path file, String initialCluster) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        Files.writeString(partial, initialCluster + "\n", StandardCharsets.UTF_8);
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Waits for the started file, at most {@code timeout}. */
    static Started awaitStarted(Path file, Duration timeout) throws IOException, InterruptedException {
        long deadlineNanos = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadlineNanos < 0) {
            try {
                return parseStarted(Files.readString(file, StandardCharsets.UTF_8));
            } catch (NoSuchFileException e) {
                TimeUnit.MILLISECONDS.sleep(startedPollMillis);
            }
        }
        throw new IllegalStateException("the new member was not started within " + timeout.toSeconds() + "s (no " + file + ")");
    }
}
