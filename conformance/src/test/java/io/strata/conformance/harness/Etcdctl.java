package io.strata.conformance.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs reference etcdctl 3.5 against a set of endpoints, as a person at a shell would. */
public final class Etcdctl {
    static final Duration RUN_TIMEOUT = Duration.ofSeconds(30);

    private final List<String> endpoints;

    public Etcdctl(List<String> endpoints) {
        this.endpoints = List.copyOf(endpoints);
    }

    /** What one etcdctl run printed, and how it exited. */
    public record Result(int exitCode, String stdout, String stderr) {
        public boolean succeeded() {
            return exitCode == 0;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    /**
     * An etcdctl that keeps running (such as {@code watch}) with its output going to files,
     * so that the test can read what it has printed so far and then stop it.
     */
    public final class Background implements AutoCloseable {
        private final Process process;
        private final Path out;
        private final Path err;

        private Background(Process process, Path out, Path err) {
            this.process = process;
            this.out = out;
            this.err = err;
        }

        /** What it has printed on standard output so far. */
        public String stdoutSoFar() {
            try {
                return Files.readString(out, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public boolean isRunning() {
            return process.isAlive();
        }

        /** Stops it (SIGTERM, then SIGKILL) and returns everything it printed and its exit code. */
        public Result stop() {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
                return new Result(process.exitValue(), stdoutSoFar(), Files.readString(err, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stopping etcdctl", e);
            }
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
            try {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            } catch (IOException ignored) {
                // A leftover temporary file is harmless.
            }
        }
    }

    /** Starts etcdctl without waiting for it, for commands that run until stopped. */
    public Background start(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Tools.etcdctl().toString());
        command.add("--endpoints=" + String.join(",", endpoints));
        command.addAll(Arrays.asList(args));
        try {
            Path out = Files.createTempFile("etcdctl-bg-out", ".txt");
            Path err = Files.createTempFile("etcdctl-bg-err", ".txt");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            builder.environment().keySet().removeIf(key -> key.startsWith("ETCDCTL") || key.startsWith("ETCD_"));
            builder.environment().put("ETCDCTL_API", "3");
            return new Background(builder.start(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start etcdctl", e);
        }
    }

    public Result run(String... args) {
        return runWithInput(null, args);
    }

    /** Runs etcdctl with {@code stdin} (null for none) fed to its standard input. */
    public Result runWithInput(String stdin, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Tools.etcdctl().toString());
        command.add("--endpoints=" + String.join(",", endpoints));
        command.addAll(Arrays.asList(args));
        Path in = null;
        Path out = null;
        Path err = null;
        try {
            in = Files.createTempFile("etcdctl-in", ".txt");
            out = Files.createTempFile("etcdctl-out", ".txt");
            err = Files.createTempFile("etcdctl-err", ".txt");
            Files.writeString(in, stdin == null ? "" : stdin, StandardCharsets.UTF_8);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectInput(in.toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            builder.environment().keySet().removeIf(key -> key.startsWith("ETCDCTL") || key.startsWith("ETCD_"));
            builder.environment().put("ETCDCTL_API", "3");
            Process process = builder.start();
            if (!process.waitFor(RUN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException("etcdctl " + String.join(" ", args) + " did not finish within "
                        + RUN_TIMEOUT.toSeconds() + " s");
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("could not run etcdctl", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running etcdctl", e);
        } finally {
            for (Path path : new Path[] {in, out, err}) {
                if (path != null) {
                    try {
                        Files.deleteIfExists(path);
                    } catch (IOException ignored) {
                        // A leftover temporary file is harmless.
                    }
                }
            }
        }
    }
}
