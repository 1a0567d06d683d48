package io.strata.server.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Something configuration parsing has to report before logging is set up: a warning about a
 * flag, the use of an environment variable, or the error that stops the process. It remembers
 * where it was raised, so that the {@code caller} of its log line is that place.
 *
 * @param level   {@code info}, {@code warn} or {@code fatal}
 * @param message the log message
 * @param fields  extra log fields, in order
 * @param caller  where the note was raised
 */
public record StartupNote(String level, String message, Map<String, Object> fields, StackTraceElement caller) {

    public StartupNote {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    static StartupNote info(String message, Object... keyValues) {
        return new StartupNote("info", message, pairs(keyValues), callerFrame());
    }

    static StartupNote warn(String message, Object... keyValues) {
        return new StartupNote("warn", message, pairs(keyValues), callerFrame());
    }

    static StartupNote fatal(String message, Object... keyValues) {
        return new StartupNote("fatal", message, pairs(keyValues), callerFrame());
    }

    private static Map<String, Object> pairs(Object... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("key/value list of odd length " + keyValues.length);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            out.put((String) keyValues[i], keyValues[i + 1]);
        }
        return out;
    }

    private static StackTraceElement callerFrame() {
        // Frames: callerFrame, the factory method, then the code that raised the note.
        return StackWalker.getInstance()
                .walk(frames -> frames.skip(2).findFirst())
                .map(StackWalker.StackFrame::toStackTraceElement)
                .orElse(null);
    }
}
