package io.strata.server.config;

import java.util.List;

/**
 * One command-line flag: its etcd name, value type, default (as it would be typed on the command
 * line, so defaults and user values go through the same parser), help group and text, and
 * whether Strata acts on it yet.
 *
 * @param shownDefault what the help shows as the default when it differs from {@code defaultValue}
 * @param choices the allowed values of a {@link FlagType#CHOICE} or {@link FlagType#CHOICES} flag
 * @param hidden left out of the help, as etcd leaves it out of its own
 */
record FlagSpec(
        String name,
        FlagType type,
        String defaultValue,
        String shownDefault,
        String group,
        String help,
        Support support,
        List<String> choices,
        boolean hidden) {

    /** What Strata does with a flag. */
    enum Support {
        /** Parsed into {@link ServerConfig} and acted on. */
        IMPLEMENTED,
        /** Parsed and checked like etcd does, but setting it only produces a warning for now. */
        NOT_IMPLEMENTED,
        /** Removed from etcd long ago; accepted so that old scripts still start. */
        IGNORED
    }

    FlagSpec {
        if (name.isEmpty() || name.startsWith("-")) {
            throw new IllegalArgumentException("bad flag name: " + name);
        }
        choices = List.copyOf(choices);
    }

    /** The environment variable that sets this flag, as etcd names it. */
    String envName() {
        return "ETCD_" + name.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }
}
