package io.strata.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.kv.GetResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** Small conveniences for tests that drive a server through jetcd and raw gRPC. */
final class Jetcd {
    static final long TIMEOUT_SECONDS = 10;

    private Jetcd() {}

    static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    static String text(ByteSequence bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * Puts {@code key} until one put succeeds, for at most 30 s: what a client does while a
     * cluster elects a new leader after its leader was killed.
     */
    static void putRetrying(Client client, String key) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                client.getKVClient().put(bytes(key), bytes("v")).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("no put succeeded for 30 s after the leader was killed", e);
                }
                Thread.sleep(100);
            }
        }
    }

    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer within " + TIMEOUT_SECONDS + " s", e);
        }
    }

    static List<String> keys(GetResponse response) {
        return response.getKvs().stream().map(KeyValue::getKey).map(Jetcd::text).collect(Collectors.toList());
    }

    static List<String> values(GetResponse response) {
        return response.getKvs().stream().map(KeyValue::getValue).map(Jetcd::text).collect(Collectors.toList());
    }

    /**
     * Asserts that a jetcd call fails with etcd's status code and exact message. jetcd 0.8 hands
     * most server errors through as the gRPC {@link StatusRuntimeException}, and wraps some in an
     * {@link EtcdException}; either must carry the server's code and description.
     */
    static void assertJetcdFails(Supplier<CompletableFuture<?>> call, Status.Code code, String message) {
        try {
            Object result = await(call.get());
            fail("expected %s '%s' but the call returned %s", code, message, result);
        } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).as("status of %s", e).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).as("description of %s", e).isEqualTo(message);
        } catch (EtcdException e) {
            assertThat(e.getErrorCode()).as("error code of %s", e).isEqualTo(ErrorCode.valueOf(code.name()));
            assertThat(e.getMessage()).as("message of %s", e).contains(message);
        }
    }

    /** Asserts the exact gRPC status code and description of a raw stub call. */
    static void assertGrpcFails(Runnable call, Status.Code code, String description) {
        try {
            call.run();
            fail("expected %s '%s' but the call succeeded", code, description);
        } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).as("status of %s", e).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).as("description of %s", e).isEqualTo(description);
        }
    }
}
