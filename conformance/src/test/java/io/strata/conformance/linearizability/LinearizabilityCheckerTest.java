package io.strata.conformance.linearizability;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LinearizabilityCheckerTest {
    static void assertLinearizable(Histories history) {
        CheckResult result = history.check();
        assertThat(result.isLinearizable()).as(result.report()).isTrue();
    }

    static CheckResult assertAnomaly(Histories history) {
        CheckResult result = history.check();
        assertThat(result.anomalies()).as(result.report()).isNotEmpty();
        assertThat(result.undecided()).isEmpty();
        return result;
    }

    @Test
    void sequentialWritesAndReadsAreLinearizable() {
        assertLinearizable(new Histories()
                .getAbsent(1, 0, 1, "k", 1)
                .put(1, 2, 3, "k", "a", 2)
                .get(2, 4, 5, "k", "a", 2, 2)
                .put(2, 6, 7, "other", "x", 3)
                .delete(1, 8, 9, "k", 1, 4)
                .getAbsent(2, 10, 11, "k", 4)
                .delete(2, 12, 13, "k", 0, 4));
    }

    @Test
    void readOverlappingAWriteMaySeeItOrNot() {
        assertLinearizable(new Histories()
                .put(1, 0, 10, "k", "a", 2)
                .getAbsent(2, 1, 2, "k", 1)
                .get(3, 3, 4, "k", "a", 2, 2)
                .get(2, 5, 6, "k", "a", 2, 2));
    }

    @Test
    void concurrentWritesMayTakeEffectInEitherOrder() {
        assertLinearizable(new Histories()
                .put(1, 0, 10, "k", "a", 3)
                .put(2, 0, 10, "k", "b", 2)
                .get(3, 11, 12, "k", "a", 3, 3));
    }

    @Test
    void staleReadIsAnAnomaly() {
        CheckResult result = assertAnomaly(new Histories()
                .put(1, 0, 1, "k", "a", 2)
                .put(1, 2, 3, "k", "b", 3)
                .get(2, 4, 5, "k", "a", 2, 3));
        assertThat(result.report()).contains("key k: stale read").contains("Get[key=k]");
    }

    @Test
    void staleReadShownByAnEarlierReadOfANewerValueIsAnAnomaly() {
        CheckResult result = assertAnomaly(new Histories()
                .put(1, 0, 1, "k", "a", 2)
                .put(1, 2, 10, "k", "b", 3)
                .get(2, 3, 4, "k", "b", 3, 3)
                .get(3, 5, 6, "k", "a", 2, 3));
        assertThat(result.report()).contains("key k: stale read");
    }

    @Test
    void readOfTheOlderValueWhileANewerWriteRunsIsLinearizable() {
        assertLinearizable(new Histories()
                .put(1, 0, 1, "k", "a", 2)
                .put(1, 2, 10, "k", "b", 3)
                .get(2, 3, 4, "k", "a", 2, 2)
                .get(3, 5, 6, "k", "b", 3, 3));
    }

    @Test
    void lostWriteIsAnAnomaly() {
        CheckResult result = assertAnomaly(new Histories()
                .put(1, 0, 1, "k", "a", 2)
                .getAbsent(2, 2, 3, "k", 2));
        assertThat(result.report()).contains("key k: lost write");
    }

    @Test
    void keyMayBeAbsentAfterAWriteWhenADeleteOfUnknownOutcomeFollowed() {
        assertLinearizable(new Histories()
                .put(1, 0, 1, "k", "a", 2)
                .deleteUnknown(1, 2, "k")
                .getAbsent(2, 5, 6, "k", 3));
    }

    @Test
    void readOfAValueNeverWrittenIsAnAnomaly() {
        CheckResult result = assertAnomaly(new Histories()
                .put(1, 0, 1, "k", "a", 2)
                .get(2, 2, 3, "k", "ghost", 2, 2));
        assertThat(result.report()).contains("read a value nobody wrote");
    }

    @Test
    void readWithTheWrongModRevisionIsAnAnomaly() {
        assertAnomaly(new Histories()
                .put(1, 0, 1, "k", "a", 2)
                .get(2, 2, 3, "k", "a", 3, 3));
    }

    @Test
    void twoWritesSeenInOppositeOrdersIsAnAnomaly() {
        assertAnomaly(new Histories()
                .put(1, 0, 100, "k", "a", 2)
                .put(2, 0, 100, "k", "b", 3)
                .get(3, 10, 20, "k", "a", 2, 2)
                .get(3, 30, 40, "k", "b", 3, 3)
                .get(4, 10, 20, "k", "b", 3, 3)
                .get(4, 30, 40, "k", "a", 2, 3));
    }

    @Test
    void twoUnknownWritesSeenInOppositeOrdersIsAnAnomaly() {
        // Without acknowledged revisions only the order of values can give it away.
        CheckResult result = assertAnomaly(new Histories()
                .putUnknown(1, 0, "k", "a")
                .putUnknown(2, 0, "k", "b")
                .get(3, 10, 20, "k", "a", 2, 3)
                .get(3, 30, 40, "k", "b", 3, 3)
                .get(4, 10, 20, "k", "b", 3, 3)
                .get(4, 30, 40, "k", "a", 2, 3));
        assertThat(result.anomalies()).anyMatch(anomaly -> anomaly.startsWith("key k: not linearizable"));
    }

    @Test
    void unknownWriteThatTookEffectIsLinearizable() {
        assertLinearizable(new Histories()
                .putUnknown(1, 0, "k", "a")
                .getAbsent(2, 1, 2, "k", 1)
                .get(2, 10, 11, "k", "a", 2, 2)
                .get(3, 12, 13, "k", "a", 2, 2));
    }

    @Test
    void unknownWriteThatNeverTookEffectIsLinearizable() {
        assertLinearizable(new Histories()
                .put(1, 0, 1, "k", "a", 2)
                .putUnknown(1, 2, "k", "b")
                .get(2, 10, 11, "k", "a", 2, 2)
                .deleteUnknown(2, 12, "k")
                .get(3, 20, 21, "k", "a", 2, 2));
    }

    @Test
    void unknownWriteSeenAndThenUnseenIsAnAnomaly() {
        assertAnomaly(new Histories()
                .put(1, 0, 1, "k", "a", 2)
                .putUnknown(1, 2, "k", "b")
                .get(2, 10, 11, "k", "b", 3, 3)
                .get(3, 12, 13, "k", "a", 2, 3));
    }

    @Test
    void unknownWriteSeenBeforeItWasInvokedIsAnAnomaly() {
        CheckResult result = assertAnomaly(new Histories()
                .get(2, 0, 1, "k", "a", 2, 2)
                .putUnknown(1, 5, "k", "a"));
        assertThat(result.report()).contains("read a value before its write was invoked");
    }

    @Test
    void readOfTheValueOfAFailedCompareAndSetIsAnAnomaly() {
        CheckResult result = assertAnomaly(new Histories()
                .put(1, 0, 1, "k", "a", 2)
                .casFailed(2, 2, 3, "k", 7, "x", "a", 2, 2)
                .get(3, 4, 5, "k", "x", 3, 3));
        assertThat(result.report()).contains("read the value of a compare-and-set that failed");
    }

    @Test
    void readOfAnAcknowledgedValueAtAnotherRevisionIsAnAnomaly() {
        CheckResult result = assertAnomaly(new Histories()
                .put(1, 0, 10, "k", "a", 2)
                .get(2, 5, 6, "k", "a", 3, 3));
        assertThat(result.report()).contains("though its write was acknowledged at revision 2");
    }

    @Test
    void unknownWriteRevealsItsRevisionOnce() {
        assertAnomaly(new Histories()
                .putUnknown(1, 0, "k", "a")
                .get(2, 10, 11, "k", "a", 2, 2)
                .get(3, 12, 13, "k", "a", 5, 5));
    }

    @Test
    void compareAndSetFollowsTheModRevision() {
        assertLinearizable(new Histories()
                .put(1, 0, 1, "k", "a", 2)
                .casFailed(2, 2, 3, "k", 7, "x", "a", 2, 2)
                .casSucceeded(2, 4, 5, "k", 2, "b", 3)
                .get(1, 6, 7, "k", "b", 3, 3)
                .casSucceeded(1, 8, 9, "absent", 0, "c", 4));
    }

    @Test
    void compareAndSetAgainstAStaleRevisionIsAnAnomaly() {
        assertAnomaly(new Histories()
                .put(1, 0, 1, "k", "a", 2)
                .put(1, 2, 3, "k", "b", 3)
                .casSucceeded(2, 4, 5, "k", 2, "c", 4));
    }

    @Test
    void twoCompareAndSetsOnOneRevisionCannotBothSucceed() {
        assertAnomaly(new Histories()
                .put(1, 0, 1, "k", "a", 2)
                .casSucceeded(2, 2, 10, "k", 2, "b", 3)
                .casSucceeded(3, 2, 10, "k", 2, "c", 4));
    }

    @Test
    void failedCompareAndSetThatShouldHaveSucceededIsAnAnomaly() {
        assertAnomaly(new Histories()
                .put(1, 0, 1, "k", "a", 2)
                .casFailed(2, 2, 3, "k", 2, "b", "a", 2, 2));
    }

    @Test
    void unknownCompareAndSetMayOrMayNotHaveTakenEffect() {
        assertLinearizable(new Histories()
                .put(1, 0, 1, "k", "a", 2)
                .casUnknown(2, 2, "k", 2, "b")
                .get(3, 10, 11, "k", "b", 3, 3));
        assertLinearizable(new Histories()
                .put(1, 0, 1, "k", "a", 2)
                .casUnknown(2, 2, "k", 2, "b")
                .get(3, 10, 11, "k", "a", 2, 2));
    }

    @Test
    void unknownCompareAndSetOnAnUnseenRevisionMayTakeEffect() {
        assertLinearizable(new Histories()
                .putUnknown(1, 0, "k", "a")
                .casUnknown(2, 2, "k", 2, "b")
                .get(3, 10, 11, "k", "b", 3, 3)
                .get(3, 12, 13, "k", "b", 3, 3));
    }

    @Test
    void compareAndSetCannotMatchARevisionThatAnotherWriteGot() {
        // The delete shows the put of unknown outcome took effect, but revision 2 is a's.
        assertAnomaly(new Histories()
                .put(1, 0, 1, "k", "a", 2)
                .delete(1, 2, 3, "k", 1, 3)
                .putUnknown(2, 4, "k", "b")
                .casSucceeded(3, 10, 11, "k", 2, "c", 5));
        assertLinearizable(new Histories()
                .put(1, 0, 1, "k", "a", 2)
                .delete(1, 2, 3, "k", 1, 3)
                .putUnknown(2, 4, "k", "b")
                .casSucceeded(3, 10, 11, "k", 4, "c", 5));
    }

    @Test
    void deleteThatMissedAPresentKeyIsAnAnomaly() {
        assertAnomaly(new Histories()
                .put(1, 0, 1, "k", "a", 2)
                .delete(2, 2, 3, "k", 0, 2));
    }

    @Test
    void twoWritesWithOneRevisionAreAnAnomaly() {
        CheckResult result = assertAnomaly(new Histories()
                .put(1, 0, 10, "k1", "a", 2)
                .put(2, 0, 10, "k2", "b", 2));
        assertThat(result.report()).contains("two acknowledged writes got revision 2");
    }

    @Test
    void revisionGoingBackwardsAcrossKeysIsAnAnomaly() {
        CheckResult result = assertAnomaly(new Histories()
                .put(1, 0, 1, "k1", "a", 5)
                .put(2, 2, 3, "k2", "b", 4));
        assertThat(result.report()).contains("a write got revision 4");
    }

    @Test
    void readOfAnotherKeyBehindAnAcknowledgedWriteIsAnAnomaly() {
        CheckResult result = assertAnomaly(new Histories()
                .put(1, 0, 1, "k1", "a", 5)
                .getAbsent(2, 2, 3, "k2", 4));
        assertThat(result.report()).contains("a read got revision 4");
    }
}
