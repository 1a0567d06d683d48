package io.strata.conformance.differential;

import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Objects;

/**
 * What a server answered to one operation, after normalisation: either a response message or
 * a gRPC error, the latter reduced to its status code and description since clients see both.
 */
record Outcome(Message response, Status.Code errorCode, String errorDescription) {
    Outcome {
        if ((response == null) == (errorCode == null)) {
            throw new IllegalArgumentException("an outcome is either a response or an error");
        }
    }

    static Outcome of(Message response) {
        return new Outcome(ResponseNormaliser.normalise(response), null, null);
    }

    static Outcome of(StatusRuntimeException error) {
        return new Outcome(null, error.getStatus().getCode(), error.getStatus().getDescription());
    }

    boolean isError() {
        return errorCode != null;
    }

    /** Equal when both are the same normalised response, or the same code with the same text. */
    boolean sameAs(Outcome other) {
        return Objects.equals(response, other.response) && errorCode == other.errorCode
                && Objects.equals(errorDescription, other.errorDescription);
    }

    String describe() {
        if (isError()) {
            return "error " + errorCode + ": " + errorDescription;
        }
        return response.getDescriptorForType().getName() + " " + TextFormat.shortDebugString(response);
    }

    @Override
    public String toString() {
        return describe();
    }
}
