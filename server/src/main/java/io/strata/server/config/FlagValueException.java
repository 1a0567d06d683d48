package io.strata.server.config;

/**
 * A flag value that does not parse. The message is the reason alone ({@code parse error},
 * {@code invalid value}, a URL problem); the caller adds the flag or variable name.
 */
final class FlagValueException extends Exception {
    private static final long serialVersionUID = 1L;

    FlagValueException(String message) {
        super(message);
    }
}
