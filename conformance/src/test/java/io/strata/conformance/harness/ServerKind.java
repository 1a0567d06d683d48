package io.strata.conformance.harness;

import java.util.Locale;

/** The server a conformance run drives: Strata itself, or reference etcd for comparison. */
public enum ServerKind {
    STRATA,
    ETCD;

    static final String PROPERTY = "strata.target";
    static final String ENVIRONMENT_VARIABLE = "STRATA_TARGET";

    /**
     * The kind chosen for this run: the system property wins over the environment variable,
     * and Strata is the default. Maven passes an unset property through as an empty string or
     * as an unresolved {@code ${...}} expression, so both count as unset.
     */
    public static ServerKind target() {
        String chosen = firstSet(System.getProperty(PROPERTY), System.getenv(ENVIRONMENT_VARIABLE));
        if (chosen == null) {
            return STRATA;
        }
        try {
            return valueOf(chosen.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(
                    "unknown " + PROPERTY + " '" + chosen + "': expected 'strata' or 'etcd'", e);
        }
    }

    private static String firstSet(String... candidates) {
        for (String candidate : candidates) {
            if (candidate != null && !candidate.isBlank() && !candidate.startsWith("${")) {
                return candidate;
            }
        }
        return null;
    }
}
