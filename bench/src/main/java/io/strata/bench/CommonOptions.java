package io.strata.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The flags every workload takes, named as in etcd's {@code tools/benchmark} where it has them. */
final class CommonOptions {
    static final long defaultTotalOps = 10_000;

    @Option(names = "--endpoints", defaultValue = "http://127.0.0.1:2379",
            description = "Comma-separated client URLs (plaintext http). Default: ${DEFAULT-VALUE}.")
    String endpoints;

    @Option(names = "--clients", defaultValue = "1",
            description = "Concurrent clients, each with one request in flight. Default: ${DEFAULT-VALUE}.")
    int clients;

    @Option(names = "--conns", defaultValue = "1",
            description = "gRPC connections the clients share. Default: ${DEFAULT-VALUE}.")
    int conns;

    @Option(names = "--total",
            description = "Stop after this many operations (default " + defaultTotalOps + " unless --duration is given).")
    Long totalOps;

    @Option(names = "--duration", converter = DurationConverter.class,
            description = "Stop after this long instead of after --total operations (e.g. 30s).")
    Duration duration;

    @Option(names = "--warmup", defaultValue = "0s", converter = DurationConverter.class,
            description = "Run at full load this long before measuring (not timed, not counted). Default: ${DEFAULT-VALUE}.")
    Duration warmup;

    @Option(names = "--key-size", defaultValue = "8", description = "Key length in bytes. Default: ${DEFAULT-VALUE}.")
    int keySize;

    @Option(names = "--val-size", defaultValue = "256", description = "Value length in bytes. Default: ${DEFAULT-VALUE}.")
    int valSize;

    @Option(names = {"--key-space", "--key-space-size"}, defaultValue = "100000",
            description = "Number of distinct keys. Default: ${DEFAULT-VALUE}.")
    long keySpace;

    @Option(names = "--max-errors", defaultValue = "1000",
            description = "Abort the run after this many failed requests (-1: never). Default: ${DEFAULT-VALUE}.")
    long maxErrors;

    @Option(names = "--stall-timeout", defaultValue = "30s", converter = DurationConverter.class,
            description = "Abort when no request completes for this long. Default: ${DEFAULT-VALUE}.")
    Duration stallTimeout;

    List<Endpoint> endpointList() {
        return Endpoint.parseList(endpoints);
    }

    OpBudget budget() {
        if (totalOps != null && duration != null) {
            throw new IllegalArgumentException("give --total or --duration, not both");
        }
        return duration != null ? OpBudget.ofDuration(duration) : OpBudget.ofOps(totalOps != null ? totalOps : defaultTotalOps);
    }

    KeySpace keys() {
        return new KeySpace(keySize, keySpace);
    }

    void validate() {
        if (clients < 1) {
            throw new IllegalArgumentException("--clients must be at least 1, got " + clients);
        }
        if (conns < 1) {
            throw new IllegalArgumentException("--conns must be at least 1, got " + conns);
        }
        if (valSize < 0) {
            throw new IllegalArgumentException("--val-size must not be negative, got " + valSize);
        }
        endpointList();
        budget();
        keys();
    }

    ChannelPool openChannels() {
        return new ChannelPool(endpointList(), conns);
    }

    /** The parameters as the summary reports them; workloads add their own after these. */
    Map<String, Object> parameters() {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("endpoints", endpointList().stream().map(Endpoint::toString).toList());
        parameters.put("clients", clients);
        parameters.put("conns", conns);
        OpBudget budget = budget();
        if (budget.countsOps()) {
            parameters.put("total", budget.totalOps());
        } else {
            parameters.put("durationSeconds", budget.duration().toMillis() / 1000.0);
        }
        parameters.put("warmupSeconds", warmup.toMillis() / 1000.0);
        parameters.put("keySize", keySize);
        parameters.put("valSize", valSize);
        parameters.put("keySpace", keySpace);
        return parameters;
    }
}
