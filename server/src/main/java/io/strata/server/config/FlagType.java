package io.strata.server.config;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The kinds of value etcd's flags take, each with the parsing and the error reasons etcd gives
 * for it. Parsed values are plain Java types: {@code String}, {@code Boolean}, {@code Long},
 * {@code Duration}, {@code List<URI>} and {@code List<String>}.
 */
enum FlagType {
    STRING,
    BOOL,
    /** Unsigned 64-bit, as etcd's {@code uint} and {@code uint64} flags on 64-bit machines. */
    UINT,
    /** Unsigned 32-bit, whose errors name the conversion as etcd's own value type does. */
    UINT32,
    /** Signed 64-bit. */
    INT,
    DURATION,
    /** Comma-separated URLs; sorted and de-duplicated. */
    URLS,
    /** Comma-separated strings, kept in order. */
    STRINGS,
    /** Comma-separated strings; sorted and de-duplicated. */
    UNIQUE_STRINGS,
    /** One of a fixed set of strings. */
    CHOICE,
    /** A comma-separated subset of a fixed set of strings. */
    CHOICES,
    /** A flag from older etcd releases that is accepted, with or without a value, and ignored. */
    IGNORED;

    /** Whether the flag may be given without a value, meaning {@code true}. */
    boolean takesNoValue() {
        return this == BOOL || this == IGNORED;
    }

    Object parse(String raw, List<String> choices) throws FlagValueException {
        switch (this) {
            case STRING:
                return raw;
            case BOOL:
                return GoIntegers.parseBoolean(raw);
            case UINT:
                return GoIntegers.parseUnsigned(raw, 64);
            case UINT32:
                try {
                    return GoIntegers.parseUnsigned(raw, 32);
                } catch (FlagValueException e) {
                    String reason = e.getMessage().equals(GoIntegers.OUT_OF_RANGE) ? "value out of range" : "invalid syntax";
                    throw new FlagValueException("strconv.ParseUint: parsing \"" + raw + "\": " + reason);
                }
            case INT:
                return GoIntegers.parseSigned(raw);
            case DURATION:
                try {
                    return GoDuration.parse(raw);
                } catch (GoDuration.InvalidDurationException e) {
                    throw new FlagValueException(GoIntegers.PARSE_ERROR);
                }
            case URLS:
                // An empty value means no URLs; '*' is the one non-URL that --cors accepts.
                if (raw.isEmpty()) {
                    return List.of();
                }
                if (choices.contains(raw)) {
                    return List.of(java.net.URI.create(raw));
                }
                return UrlLists.parse(raw);
            case STRINGS:
                return raw.isEmpty() ? List.of() : List.of(raw.split(",", -1));
            case UNIQUE_STRINGS:
                return List.copyOf(new TreeSet<>(List.of(raw.split(",", -1))));
            case CHOICE:
                if (!choices.contains(raw)) {
                    throw new FlagValueException("invalid value");
                }
                return raw;
            case CHOICES:
                if (raw.isEmpty()) {
                    return List.of();
                }
                List<String> picked = new ArrayList<>();
                for (String v : raw.split(",", -1)) {
                    if (!choices.contains(v)) {
                        throw new FlagValueException("invalid value \"" + v + "\"");
                    }
                    picked.add(v);
                }
                picked.sort(null);
                return List.copyOf(picked);
            case IGNORED:
                return raw;
            default:
                throw new IllegalStateException("unhandled flag type " + this);
        }
    }
}
