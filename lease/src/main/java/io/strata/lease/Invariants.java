package io.strata.lease;

/** Always-on checks of conditions that hold unless the lessor itself is broken. */
final class Invariants {
    private Invariants() {
    }

    static void check(boolean condition, String format, Object... args) {
        if (!condition) {
            throw new IllegalStateException("lessor invariant broken: " + String.format(format, args));
        }
    }
}
