package io.strata.server.config;

import java.util.Locale;

/** The texts the command prints itself: usage, help and version, laid out as etcd's are. */
final class UsageText {

    /** The etcd API version Strata serves, reported by {@code --version} and {@code /version}. */
    static final String ETCD_API_VERSION = "3.5";

    private UsageText() {
    }

    static String usage() {
        return "Usage:\n"
                + "\n"
                + "  strata [flags]\n"
                + "    Start a Strata member, serving the etcd v3 API.\n"
                + "\n"
                + "  strata --version\n"
                + "    Print the version and exit.\n"
                + "\n"
                + "  strata -h | --help\n"
                + "    Print this help and exit.\n"
                + "\n"
                + "  Every flag can also be set by an environment variable: --data-dir by ETCD_DATA_DIR, and so on.\n"
                + "  Setting a flag both ways is an error.\n";
    }

    /** The full help: usage, then every listed flag by group with its default. */
    static String help() {
        StringBuilder out = new StringBuilder(usage());
        String group = null;
        for (FlagSpec spec : FlagTable.all()) {
            if (spec.hidden()) {
                continue;
            }
            if (!spec.group().equals(group)) {
                group = spec.group();
                out.append('\n').append(group).append(":\n");
            }
            out.append("  --").append(spec.name());
            if (spec.type() != FlagType.IGNORED) {
                out.append(" '").append(spec.shownDefault()).append('\'');
            }
            out.append('\n');
            String help = spec.help();
            if (spec.support() == FlagSpec.Support.NOT_IMPLEMENTED) {
                help += " [accepted, not implemented yet]";
            }
            out.append("    ").append(help).append('\n');
        }
        out.append('\n').append("Flags marked [accepted, not implemented yet] are parsed and checked as etcd does;")
                .append(" setting one logs a warning.\n");
        return out.toString();
    }

    static String version() {
        return "Strata Version: " + strataVersion() + '\n'
                + "etcd API Version: " + ETCD_API_VERSION + '\n'
                + "Java Version: " + System.getProperty("java.version") + '\n'
                + "OS/Arch: " + goos() + '/' + goarch() + '\n';
    }

    /** Strata's own version. */
    static String strataVersion() {
        return io.strata.server.Versions.STRATA_VERSION;
    }

    // Operating system and architecture named as etcd names them, so tooling can compare.
    private static String goos() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.startsWith("linux")) {
            return "linux";
        }
        if (os.startsWith("mac") || os.startsWith("darwin")) {
            return "darwin";
        }
        if (os.startsWith("windows")) {
            return "windows";
        }
        return os.replace(' ', '_');
    }

    private static String goarch() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        switch (arch) {
            case "amd64":
            case "x86_64":
                return "amd64";
            case "aarch64":
            case "arm64":
                return "arm64";
            case "x86":
            case "i386":
            case "i686":
                return "386";
            default:
                return arch;
        }
    }
}
