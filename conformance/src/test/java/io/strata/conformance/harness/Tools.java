package io.strata.conformance.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where the programs the tests run live: the repository root is the nearest directory above
 * the working directory that holds {@code mvnw}, the reference etcd binaries are unpacked under
 * {@code .tools/etcd-3.5/} by {@code bin/install-reference-etcd}, and Strata runs from
 * {@code bin/strata}.
 */
public final class Tools {
    static final String INSTALL_HINT = "run bin/install-reference-etcd from the repository root";

    private Tools() {}

    public static Path repoRoot() {
        Path dir = Paths.get("").toAbsolutePath();
        for (Path candidate = dir; candidate != null; candidate = candidate.getParent()) {
            if (Files.isRegularFile(candidate.resolve("mvnw"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no directory holding mvnw above " + dir);
    }

    /** Where the test writes data directories and server logs, kept for diagnosis. */
    public static Path workDir() {
        return repoRoot().resolve("conformance").resolve("target").resolve("conformance-runs");
    }

    public static Path etcd() {
        return requireExecutable(repoRoot().resolve(".tools/etcd-3.5/usr/bin/etcd"), INSTALL_HINT);
    }

    public static Path etcdctl() {
        return requireExecutable(repoRoot().resolve(".tools/etcd-3.5/usr/bin/etcdctl"), INSTALL_HINT);
    }

    public static Path strata() {
        return requireExecutable(repoRoot().resolve("bin/strata"),
                "it starts the server from server/target, so build that first: ./mvnw -pl server -am install -DskipTests");
    }

    /** The server binary for a kind. */
    public static Path serverBinary(ServerKind kind) {
        return kind == ServerKind.ETCD ? etcd() : strata();
    }

    /**
     * Fails (never skips) when a program is missing: a conformance test that could not run its
     * server must not be reported as passing, on CI or anywhere else.
     */
    private static Path requireExecutable(Path path, String hint) {
        if (!Files.isExecutable(path)) {
            String where = "true".equalsIgnoreCase(System.getenv("CI")) ? " (on CI)" : "";
            throw new IllegalStateException(path + " is missing" + where + ": " + hint);
        }
        return path;
    }
}
