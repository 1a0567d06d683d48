package io.strata.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The one JSON object a run prints on stdout. Its field names are what {@code bin/benchmark}
 * reads, so they change only together with that script.
 */
final class Summary {
    private static final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Map<String, Object> fields = new LinkedHashMap<>();
    private final Map<String, Object> extra = new LinkedHashMap<>();

    Summary(String workload, Map<String, Object> parameters) {
        fields.put("workload", workload);
        fields.put("parameters", parameters);
    }

    /** Fills in the counts, throughput and latency percentiles of a finished run. */
    Summary result(Histogram latenciesNanos, long errors, double elapsedSeconds) {
        long ops = latenciesNanos.getTotalCount();
        fields.put("totalOps", ops);
        fields.put("errors", errors);
        fields.put("elapsedSeconds", round(elapsedSeconds, 3));
        fields.put("throughputOpsPerSec", round(elapsedSeconds > 0 ? ops / elapsedSeconds : 0, 1));
        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("p50", millis(latenciesNanos, 50.0));
        latency.put("p90", millis(latenciesNanos, 90.0));
        latency.put("p99", millis(latenciesNanos, 99.0));
        latency.put("p99.9", millis(latenciesNanos, 99.9));
        latency.put("max", ops == 0 ? 0.0 : round(latenciesNanos.getMaxValue() / 1e6, 3));
        latency.put("mean", ops == 0 ? 0.0 : round(latenciesNanos.getMean() / 1e6, 3));
        fields.put("latencyMs", latency);
        return this;
    }

    /** A workload's own counters (conflicts, events, ...), printed under "extra". */
    Summary extra(String name, Object value) {
        extra.put(name, value);
        return this;
    }

    Summary field(String name, Object value) {
        fields.put(name, value);
        return this;
    }

    Map<String, Object> asMap() {
        Map<String, Object> all = new LinkedHashMap<>(fields);
        if (!extra.isEmpty()) {
            all.put("extra", extra);
        }
        return all;
    }

    String toJson() {
        try {
            return json.writeValueAsString(asMap());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("summary is not serialisable", e);
        }
    }

    private static double millis(Histogram nanos, double percentile) {
        if (nanos.getTotalCount() == 0) {
            return 0.0;
        }
        return round(nanos.getValueAtPercentile(percentile) / 1e6, 3);
    }

    static double round(double value, int decimals) {
        return BigDecimal.valueOf(value).setScale(decimals, RoundingMode.HALF_UP).doubleValue();
    }
}
