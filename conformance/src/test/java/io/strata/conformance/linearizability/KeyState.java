package io.strata.conformance.linearizability;

import java.util.Objects;

/**
 * The model's state of one key: its value (null when absent) and mod revision (0 when absent).
 * After a write whose outcome is unknown the value is known but its revision is not, until a
 * read reveals it; {@link #UNKNOWN_REVISION} stands for "some revision greater than 0".
 */
record KeyState(String value, long modRevision) {
    static final long UNKNOWN_REVISION = -1;
    static final KeyState ABSENT = new KeyState(null, 0);

    KeyState {
        if (value == null && modRevision != 0) {
            throw new IllegalArgumentException("an absent key has mod revision 0, not " + modRevision);
        }
        if (value != null && modRevision == 0) {
            throw new IllegalArgumentException("a present key has a mod revision: " + value);
        }
    }

    boolean isAbsent() {
        return value == null;
    }

    boolean revisionKnown() {
        return modRevision != UNKNOWN_REVISION;
    }

    /** Whether a read that saw {@code readValue} at {@code readModRevision} could have read this state. */
    boolean matchesRead(String readValue, long readModRevision) {
        if (!Objects.equals(value, readValue)) {
            return false;
        }
        return revisionKnown() ? modRevision == readModRevision : readModRevision > 0;
    }

    /** Whether a write that produced {@code revision} could come right after this state. */
    boolean canBeFollowedByRevision(long revision) {
        return !revisionKnown() || revision > modRevision;
    }

    @Override
    public String toString() {
        if (isAbsent()) {
            return "absent";
        }
        return value + "@" + (revisionKnown() ? Long.toString(modRevision) : "?");
    }
}
