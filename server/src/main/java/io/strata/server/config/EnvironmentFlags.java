package io.strata.server.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Applies {@code ETCD_<FLAG>} variables the way etcd does: a variable sets its flag only when
 * the command line did not, an empty variable is ignored, a variable that names no flag is
 * reported, and a variable whose flag was also given on the command line stops the process,
 * since one of the two would be silently lost.
 */
final class EnvironmentFlags {

    static final String PREFIX = "ETCD_";
    static final String VERSION_VARIABLE = "ETCD_VERSION";

    /** A variable duplicates a command-line flag; etcd treats this as fatal. */
    static final class ConflictException extends Exception {
        private static final long serialVersionUID = 1L;
        final String variable;

        ConflictException(String variable) {
            super("conflicting environment variable is shadowed by corresponding command-line flag"
                    + " (either unset environment variable or disable flag))");
            this.variable = variable;
        }
    }

    /** A variable's value does not parse; etcd reports it as a configuration error. */
    static final class InvalidValueException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidValueException(String message) {
            super(message);
        }
    }

    private EnvironmentFlags() {
    }

    static void apply(Map<String, String> environment, FlagValues values, List<StartupNote> notes)
            throws ConflictException, InvalidValueException {
        // Sorted, so that what is reported does not depend on the order of the environment.
        TreeMap<String, String> env = new TreeMap<>(environment);
        String version = env.remove(VERSION_VARIABLE);
        if (version != null && !version.isEmpty()) {
            notes.add(StartupNote.warn("cannot set special environment variable", "key", VERSION_VARIABLE, "value", version));
        } else if (version != null) {
            env.put(VERSION_VARIABLE, version);
        }

        Set<String> setOnCommandLine = new HashSet<>();
        for (String name : values.explicitlySet()) {
            setOnCommandLine.add(FlagTable.lookup(name).envName());
        }
        Set<String> used = new HashSet<>();
        String firstError = null;
        List<FlagSpec> byName = new ArrayList<>(FlagTable.all());
        byName.sort(Comparator.comparing(FlagSpec::name));
        for (FlagSpec spec : byName) {
            String key = spec.envName();
            String value = env.get(key);
            if (setOnCommandLine.contains(key) || value == null || value.isEmpty()) {
                continue;
            }
            used.add(key);
            try {
                values.set(spec, value, FlagValues.Source.ENVIRONMENT);
                notes.add(StartupNote.info("recognized and used environment variable",
                        "variable-name", key, "variable-value", value));
            } catch (FlagValueException e) {
                // etcd keeps going and reports the last bad variable; the first is as useful and stable.
                if (firstError == null) {
                    firstError = "invalid value \"" + value + "\" for " + key + ": " + e.getMessage();
                }
            }
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            String key = e.getKey();
            if (used.contains(key)) {
                continue;
            }
            if (setOnCommandLine.contains(key)) {
                throw new ConflictException(key);
            }
            if (key.startsWith(PREFIX)) {
                notes.add(StartupNote.warn("unrecognized environment variable",
                        "environment-variable", key + "=" + e.getValue()));
            }
        }
        if (firstError != null) {
            throw new InvalidValueException(firstError);
        }
    }
}
