package io.strata.server.config;

import java.time.Duration;

/**
 * Durations written the way etcd's flags take them ({@code 100ms}, {@code 1h30m}, {@code 2.5s}),
 * so that a manifest written for etcd means the same here.
 *
 * <p>A bare number is rejected unless it is {@code 0}: etcd's flag parser does the same, and a
 * silent guess at the unit would turn {@code 10} into ten nanoseconds or ten hours.
 */
final class GoDuration {

    private static final long NANOS_PER_MICRO = 1_000L;
    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long NANOS_PER_MINUTE = 60 * NANOS_PER_SECOND;
    private static final long NANOS_PER_HOUR = 60 * NANOS_PER_MINUTE;

    private GoDuration() {
    }

    /** Thrown with the same wording etcd's runtime uses, since operators search for it. */
    static final class InvalidDurationException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidDurationException(String message) {
            super(message);
        }
    }

    static Duration parse(String text) throws InvalidDurationException {
        String quoted = "\"" + text + "\"";
        String s = text;
        boolean negative = false;
        if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            negative = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw new InvalidDurationException("time: invalid duration " + quoted);
        }
        // Sums in nanoseconds with an overflow check, as a duration beyond ~292 years is an error.
        long totalNanos = 0;
        while (!s.isEmpty()) {
            int i = 0;
            long whole = 0;
            boolean overflow = false;
            while (i < s.length() && isDigit(s.charAt(i))) {
                if (whole > (Long.MAX_VALUE - 9) / 10) {
                    overflow = true;
                }
                whole = whole * 10 + (s.charAt(i) - '0');
                i++;
            }
            boolean sawWhole = i > 0;
            String fraction = "";
            if (i < s.length() && s.charAt(i) == '.') {
                int start = ++i;
                while (i < s.length() && isDigit(s.charAt(i))) {
                    i++;
                }
                fraction = s.substring(start, i);
            }
            if (!sawWhole && fraction.isEmpty()) {
                throw new InvalidDurationException("time: invalid duration " + quoted);
            }
            if (overflow) {
                throw new InvalidDurationException("time: invalid duration " + quoted);
            }
            int unitStart = i;
            while (i < s.length() && s.charAt(i) != '.' && !isDigit(s.charAt(i))) {
                i++;
            }
            String unit = s.substring(unitStart, i);
            if (unit.isEmpty()) {
                throw new InvalidDurationException("time: missing unit in duration " + quoted);
            }
            long unitNanos = unitNanos(unit);
            if (unitNanos == 0) {
                throw new InvalidDurationException(
                        "time: unknown unit \"" + unit + "\" in duration " + quoted);
            }
            if (whole > Long.MAX_VALUE / unitNanos) {
                throw new InvalidDurationException("time: invalid duration " + quoted);
            }
            long nanos = whole * unitNanos;
            if (!fraction.isEmpty()) {
                // Only as many fractional digits as can still change the nanosecond count.
                double scaled = Double.parseDouble("0." + fraction) * unitNanos;
                nanos += (long) scaled;
            }
            if (nanos < 0 || totalNanos > Long.MAX_VALUE - nanos) {
                throw new InvalidDurationException("time: invalid duration " + quoted);
            }
            totalNanos += nanos;
            s = s.substring(i);
        }
        return Duration.ofNanos(negative ? -totalNanos : totalNanos);
    }

    /** Renders a duration as etcd prints one in its logs and errors: {@code 10m0s}, {@code 100ms}. */
    static String format(Duration duration) {
        long nanos = duration.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        if (nanos < 0) {
            out.append('-');
            nanos = -nanos;
        }
        if (nanos < NANOS_PER_SECOND) {
            if (nanos < NANOS_PER_MICRO) {
                return out.append(nanos).append("ns").toString();
            }
            if (nanos < NANOS_PER_MILLI) {
                return out.append(decimal(nanos, NANOS_PER_MICRO)).append("µs").toString();
            }
            return out.append(decimal(nanos, NANOS_PER_MILLI)).append("ms").toString();
        }
        long hours = nanos / NANOS_PER_HOUR;
        long minutes = (nanos % NANOS_PER_HOUR) / NANOS_PER_MINUTE;
        long secondNanos = nanos % NANOS_PER_MINUTE;
        if (hours > 0) {
            out.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            out.append(minutes).append('m');
        }
        return out.append(decimal(secondNanos, NANOS_PER_SECOND)).append('s').toString();
    }

    private static String decimal(long nanos, long unitNanos) {
        long whole = nanos / unitNanos;
        long rest = nanos % unitNanos;
        if (rest == 0) {
            return Long.toString(whole);
        }
        int digits = Long.toString(unitNanos).length() - 1;
        String fraction = String.format("%0" + digits + "d", rest).replaceAll("0+$", "");
        return whole + "." + fraction;
    }

    private static long unitNanos(String unit) {
        switch (unit) {
            case "ns":
                return 1;
            case "us":
            case "\u00b5s":
            case "\u03bcs":
                return NANOS_PER_MICRO;
            case "ms":
                return NANOS_PER_MILLI;
            case "s":
                return NANOS_PER_SECOND;
            case "m":
                return NANOS_PER_MINUTE;
            case "h":
                return NANOS_PER_HOUR;
            default:
                return 0;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
