package io.strata.conformance.linearizability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The checker against histories whose truth is known: those a sequential store produced pass,
 * and each one with a single anomaly planted by hand fails.
 */
class RandomHistoryTest {
    static final int CLIENTS = 6;
    static final int KEYS = 3;
    static final int OPERATIONS = 3_000;
    static final double UNKNOWN_PROBABILITY = 0.03;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void historiesOfASequentialStorePass(long seed) {
        List<Operation> history = new SequentialStoreSimulation(new Random(seed), CLIENTS, KEYS, UNKNOWN_PROBABILITY)
                .run(OPERATIONS);

        CheckResult result = LinearizabilityChecker.check(history);

        assertThat(result.isLinearizable()).as(result.report()).isTrue();
    }

    /**
     * The direct checks catch a planted stale read before the search runs; the search must
     * reach the same verdict on its own, since subtler anomalies are left to it alone.
     */
    @ParameterizedTest
    @ValueSource(longs = {31, 32, 33, 34, 35, 36})
    void searchAloneRejectsAPlantedStaleRead(long seed) {
        Random random = new Random(seed);
        List<Operation> history = new SequentialStoreSimulation(random, CLIENTS, KEYS, UNKNOWN_PROBABILITY)
                .run(OPERATIONS / 3);
        List<Operation> broken = new AnomalyPlanter(random, history).staleRead()
                .orElseThrow(() -> new AssertionError("seed " + seed + " left no place to plant a stale read"));

        boolean anyKeyRejected = false;
        for (int k = 0; k < KEYS; k++) {
            String key = "k" + k;
            KeyHistorySearch.Outcome outcome = KeyHistorySearch.search(key,
                    broken.stream().filter(op -> op.input().key().equals(key)
                            && !(op.isUnknown() && op.input() instanceof KvInput.Get)).toList(),
                    RevisionOwners.of(broken), LinearizabilityChecker.DEFAULT_MAX_EXPLORED_STATES);
            assertThat(outcome.inconclusive()).as(outcome.explanation()).isFalse();
            anyKeyRejected |= !outcome.linearizable();
        }
        assertThat(anyKeyRejected).isTrue();
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22})
    void historiesWithOnePlantedAnomalyFail(long seed) {
        Random random = new Random(seed);
        List<Operation> history = new SequentialStoreSimulation(random, CLIENTS, KEYS, UNKNOWN_PROBABILITY)
                .run(OPERATIONS / 3);
        AnomalyPlanter planter = new AnomalyPlanter(random, history);
        Optional<List<Operation>> planted = switch ((int) (seed % 3)) {
            case 0 -> planter.readOfAValueNeverWritten();
            case 1 -> planter.staleRead();
            default -> planter.revisionReusedByALaterWrite();
        };
        List<Operation> broken = planted.orElseThrow(
                () -> new AssertionError("seed " + seed + " left no place to plant an anomaly"));

        CheckResult result = LinearizabilityChecker.check(broken);

        // Each kind of anomaly is caught by a different part of the checker.
        String expected = switch ((int) (seed % 3)) {
            case 0 -> "nobody wrote";
            case 1 -> "stale read";
            default -> "revision";
        };
        assertThat(result.anomalies()).as(result.report()).anyMatch(anomaly -> anomaly.contains(expected));
        assertThat(result.undecided()).isEmpty();
    }
}
