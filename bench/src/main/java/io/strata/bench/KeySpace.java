package io.strata.bench;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The keys a workload touches: {@code size} keys, each the zero-padded decimal of its index,
 * exactly {@code keyBytes} long. Equal-width decimal keys sort like their indexes, so the whole
 * space is the one range {@code [key(0), key(size))}, and a key read back tells its index.
 */
final class KeySpace {
    private final int keyBytes;
    private final long size;
    private final AtomicLong nextSequential = new AtomicLong();

    KeySpace(int keyBytes, long size) {
        if (keyBytes < 1 || keyBytes > 18) {
            throw new IllegalArgumentException("--key-size must be between 1 and 18 bytes, got " + keyBytes);
        }
        if (size < 1) {
            throw new IllegalArgumentException("--key-space must be at least 1, got " + size);
        }
        if (size > pow10(keyBytes)) {
            throw new IllegalArgumentException("--key-space " + size + " does not fit in " + keyBytes
                    + "-byte decimal keys; raise --key-size or lower --key-space");
        }
        this.keyBytes = keyBytes;
        this.size = size;
    }

    long size() {
        return size;
    }

    int keyBytes() {
        return keyBytes;
    }

    ByteString key(long index) {
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException("key index " + index + " outside [0, " + size + ")");
        }
        return decimal(index);
    }

    private ByteString decimal(long index) {
        String digits = Long.toString(index);
        StringBuilder key = new StringBuilder(keyBytes);
        for (int i = digits.length(); i < keyBytes; i++) {
            key.append('0');
        }
        key.append(digits);
        return ByteString.copyFrom(key.toString(), StandardCharsets.US_ASCII);
    }

    long randomIndex() {
        return ThreadLocalRandom.current().nextLong(size);
    }

    /** Shared by all clients, so that together they write the keys in order. */
    long sequentialIndex() {
        return Math.floorMod(nextSequential.getAndIncrement(), size);
    }

    ByteString first() {
        return key(0);
    }

    /** The exclusive end of the key space: the key one past the last index. */
    ByteString end() {
        if (size < pow10(keyBytes)) {
            return decimal(size);
        }
        // A full space has no key one past its last; ':' follows '9' in ASCII, so it sorts after
        // every key that starts with a digit.
        return ByteString.copyFrom(":", StandardCharsets.US_ASCII);
    }

    private static long pow10(int exponent) {
        long value = 1;
        for (int i = 0; i < exponent; i++) {
            value *= 10;
        }
        return value;
    }
}
