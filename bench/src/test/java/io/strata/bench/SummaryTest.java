package io.strata.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class SummaryTest {
    @Test
    void percentilesAreReportedInMillisecondsWithTheFieldNamesTheScriptReads() {
        Histogram nanos = new Histogram(3);
        for (int i = 1; i <= 1000; i++) {
            nanos.recordValue(i * 1_000_000L);  // 1 ms .. 1000 ms
        }
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("clients", 100);
        Map<String, Object> summary = new Summary("put", parameters).result(nanos, 2, 10.0).asMap();

        assertThat(summary).containsEntry("workload", "put")
                .containsEntry("totalOps", 1000L)
                .containsEntry("errors", 2L)
                .containsEntry("throughputOpsPerSec", 100.0);
        @SuppressWarnings("unchecked")
        Map<String, Object> latency = (Map<String, Object>) summary.get("latencyMs");
        assertThat(latency).containsOnlyKeys("p50", "p90", "p99", "p99.9", "max", "mean");
        assertThat((double) latency.get("p50")).isBetween(499.0, 501.0);
        assertThat((double) latency.get("p99")).isBetween(989.0, 991.0);
        assertThat((double) latency.get("max")).isBetween(999.0, 1001.0);
    }

    @Test
    void anEmptyRunReportsZerosRatherThanFailing() {
        String json = new Summary("range", Map.of()).result(new Histogram(3), 5, 0.0).toJson();
        assertThat(json).contains("\"totalOps\" : 0", "\"throughputOpsPerSec\" : 0.0", "\"p99\" : 0.0");
    }

    @Test
    void theProgressLineShowsRateAndTailLatency() {
        assertThat(ProgressReporter.line("put", 3.0, 4567.8, 12.3456, 13000, 1))
                .contains("put", "3.0s", "4568 ops/s", "p99   12.346 ms", "ops 13000", "errors 1");
    }
}
