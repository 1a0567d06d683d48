package io.strata.conformance.differential;

import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;

/**
 * One step of a differential run: which RPC to call and the exact request to send. The request
 * is fixed when the step is generated, so a recorded sequence replays byte for byte on fresh
 * servers while it is being shrunk.
 */
record Operation(Kind kind, Message request) {
    enum Kind {
        PUT,
        DELETE_RANGE,
        RANGE,
        TXN,
        COMPACT,
        LEASE_GRANT,
        LEASE_REVOKE,
        LEASE_TIME_TO_LIVE,
        WATCH
    }

    Operation {
        if (kind == null || request == null) {
            throw new IllegalArgumentException("an operation needs a kind and a request");
        }
    }

    /** One line, with keys and values escaped as protobuf text. */
    String describe() {
        return kind + " " + TextFormat.shortDebugString(request);
    }

    @Override
    public String toString() {
        return describe();
    }
}
