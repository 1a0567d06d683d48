package io.strata.server.config;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parsed value of every flag in {@link FlagTable}, with where each explicitly set one came
 * from. Starts out holding the defaults; the command line and then the environment overwrite.
 */
final class FlagValues {

    /** Where a flag's value was given. */
    enum Source { COMMAND_LINE, ENVIRONMENT }

    private final Map<String, Object> values = new HashMap<>();
    // Insertion order is the order flags were given in, which warnings follow.
    private final Map<String, Source> explicitlySet = new LinkedHashMap<>();

    static FlagValues defaults() {
        FlagValues v = new FlagValues();
        for (FlagSpec spec : FlagTable.all()) {
            try {
                v.values.put(spec.name(), spec.type().parse(spec.defaultValue(), spec.choices()));
            } catch (FlagValueException e) {
                throw new IllegalStateException("default of --" + spec.name() + " does not parse: " + e.getMessage(), e);
            }
        }
        return v;
    }

    void set(FlagSpec spec, String raw, Source source) throws FlagValueException {
        values.put(spec.name(), spec.type().parse(raw, spec.choices()));
        explicitlySet.putIfAbsent(spec.name(), source);
    }

    boolean isSet(String name) {
        return explicitlySet.containsKey(name);
    }

    boolean isSetOnCommandLine(String name) {
        return explicitlySet.get(name) == Source.COMMAND_LINE;
    }

    Set<String> explicitlySet() {
        return explicitlySet.keySet();
    }

    String string(String name) {
        return (String) get(name);
    }

    boolean bool(String name) {
        return (Boolean) get(name);
    }

    long number(String name) {
        return (Long) get(name);
    }

    java.time.Duration duration(String name) {
        return (java.time.Duration) get(name);
    }

    @SuppressWarnings("unchecked")
    List<java.net.URI> urls(String name) {
        return (List<java.net.URI>) get(name);
    }

    @SuppressWarnings("unchecked")
    List<String> strings(String name) {
        return (List<String>) get(name);
    }

    private Object get(String name) {
        if (!values.containsKey(name)) {
            throw new IllegalArgumentException("no such flag: " + name);
        }
        return values.get(name);
    }
}
