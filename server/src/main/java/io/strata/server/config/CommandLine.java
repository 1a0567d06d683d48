package io.strata.server.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads arguments the way etcd's flag package does, because scripts written for etcd rely on
 * its quirks: one or two dashes mean the same, {@code -flag=value} and {@code -flag value} are
 * equivalent except for booleans (which never take the next argument), parsing stops at the
 * first argument that is not a flag or at {@code --}, and a repeated flag keeps its last value.
 */
final class CommandLine {

    /** A syntax or value error; etcd prints it with the usage text and exits with code 2. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** {@code -h}, {@code -help} or {@code --help} was given. */
    static final class HelpRequested extends Exception {
        private static final long serialVersionUID = 1L;

        HelpRequested() {
            super("help requested");
        }
    }

    private CommandLine() {
    }

    /**
     * Applies the flags in {@code args} to {@code values} and returns the arguments left after
     * the flags (etcd rejects any).
     */
    static List<String> parse(List<String> args, FlagValues values) throws UsageException, HelpRequested {
        int i = 0;
        while (i < args.size()) {
            String arg = args.get(i);
            if (arg.length() < 2 || arg.charAt(0) != '-') {
                break;
            }
            int dashes = 1;
            if (arg.charAt(1) == '-') {
                dashes = 2;
                if (arg.length() == 2) {
                    i++;
                    break;
                }
            }
            String name = arg.substring(dashes);
            if (name.isEmpty() || name.charAt(0) == '-' || name.charAt(0) == '=') {
                throw new UsageException("bad flag syntax: " + arg);
            }
            i++;
            String value = null;
            int eq = name.indexOf('=', 1);
            if (eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            FlagSpec spec = FlagTable.lookup(name);
            if (spec == null) {
                if (name.equals("help") || name.equals("h")) {
                    throw new HelpRequested();
                }
                throw new UsageException("flag provided but not defined: -" + name);
            }
            if (spec.type().takesNoValue()) {
                if (value == null) {
                    value = "true";
                } else {
                    try {
                        spec.type().parse(value, spec.choices());
                    } catch (FlagValueException e) {
                        throw new UsageException("invalid boolean value \"" + value + "\" for -" + name + ": " + e.getMessage());
                    }
                }
            } else if (value == null) {
                if (i >= args.size()) {
                    throw new UsageException("flag needs an argument: -" + name);
                }
                value = args.get(i++);
            }
            try {
                values.set(spec, value, FlagValues.Source.COMMAND_LINE);
            } catch (FlagValueException e) {
                throw new UsageException("invalid value \"" + value + "\" for flag -" + name + ": " + e.getMessage());
            }
        }
        return new ArrayList<>(args.subList(i, args.size()));
    }
}
