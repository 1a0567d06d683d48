package io.strata.server.config;

import java.math.BigInteger;

/**
 * Integers written as etcd's flags accept them: decimal, or {@code 0x}, {@code 0o}, {@code 0b}
 * and leading-zero octal prefixes, with {@code _} between digits. The result is either a value
 * or one of the two reasons etcd gives, "parse error" and "value out of range".
 */
final class GoIntegers {

    static final String PARSE_ERROR = "parse error";
    static final String OUT_OF_RANGE = "value out of range";

    private static final BigInteger MAX_UNSIGNED_64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private GoIntegers() {
    }

    /** Parses an unsigned integer of at most {@code bits} bits; values above 2^63-1 wrap. */
    static long parseUnsigned(String text, int bits) throws FlagValueException {
        if (text.startsWith("+") || text.startsWith("-")) {
            throw new FlagValueException(PARSE_ERROR);
        }
        BigInteger value = parseMagnitude(text);
        BigInteger max = bits == 64 ? MAX_UNSIGNED_64 : BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE);
        if (value.compareTo(max) > 0) {
            throw new FlagValueException(OUT_OF_RANGE);
        }
        return value.longValue();
    }

    static long parseSigned(String text) throws FlagValueException {
        boolean negative = false;
        String digits = text;
        if (digits.startsWith("+") || digits.startsWith("-")) {
            negative = digits.charAt(0) == '-';
            digits = digits.substring(1);
        }
        BigInteger value = parseMagnitude(digits);
        if (negative) {
            value = value.negate();
        }
        if (value.bitLength() > 63) {
            throw new FlagValueException(OUT_OF_RANGE);
        }
        return value.longValue();
    }

    private static BigInteger parseMagnitude(String text) throws FlagValueException {
        if (text.isEmpty()) {
            throw new FlagValueException(PARSE_ERROR);
        }
        int radix = 10;
        String digits = text;
        boolean prefixed = false;
        if (text.length() > 1 && text.charAt(0) == '0') {
            char marker = Character.toLowerCase(text.charAt(1));
            if (marker == 'x') {
                radix = 16;
                digits = text.substring(2);
                prefixed = true;
            } else if (marker == 'o') {
                radix = 8;
                digits = text.substring(2);
                prefixed = true;
            } else if (marker == 'b') {
                radix = 2;
                digits = text.substring(2);
                prefixed = true;
            } else {
                radix = 8;
                digits = text.substring(1);
            }
        }
        if (digits.contains("_")) {
            // Underscores may only separate digits (or follow a base prefix).
            String check = prefixed ? "0" + digits : text;
            if (check.startsWith("_") || check.endsWith("_") || check.contains("__")) {
                throw new FlagValueException(PARSE_ERROR);
            }
            digits = digits.replace("_", "");
        }
        if (digits.isEmpty()) {
            throw new FlagValueException(PARSE_ERROR);
        }
        for (int i = 0; i < digits.length(); i++) {
            if (Character.digit(digits.charAt(i), radix) < 0) {
                throw new FlagValueException(PARSE_ERROR);
            }
        }
        return new BigInteger(digits, radix);
    }

    /** The boolean spellings etcd's flags accept. */
    static boolean parseBoolean(String text) throws FlagValueException {
        switch (text) {
            case "1": case "t": case "T": case "true": case "TRUE": case "True":
                return true;
            case "0": case "f": case "F": case "false": case "FALSE": case "False":
                return false;
            default:
                throw new FlagValueException(PARSE_ERROR);
        }
    }
}
