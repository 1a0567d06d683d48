package io.strata.lease;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A key attached to a lease: an immutable copy of the key's bytes with value equality.
 *
 * <p>Keys order byte-wise as unsigned values, which is the order etcd deletes a revoked lease's
 * keys in; every member must delete them in the same order so that the revision store's hashes
 * agree across the cluster.
 */
public final class ByteKey implements Comparable<ByteKey> {
    private final byte[] bytes;
    private final int hash;

    private ByteKey(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** A key holding a copy of {@code bytes}, so later changes to the array do not reach it. */
    public static ByteKey copyOf(byte[] bytes) {
        return new ByteKey(bytes.clone());
    }

    /** A key holding the UTF-8 encoding of {@code text}. */
    public static ByteKey utf8(String text) {
        return new ByteKey(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A fresh copy of the key's bytes. */
    public byte[] toByteArray() {
        return bytes.clone();
    }

    public int length() {
        return bytes.length;
    }

    @Override
    public int compareTo(ByteKey other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteKey other && hash == other.hash && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** The key as text where it is printable ASCII, with other bytes escaped as {@code \xNN}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '\\') {
                text.append((char) c);
            } else {
                text.append(String.format("\\x%02x", c));
            }
        }
        return text.toString();
    }
}
