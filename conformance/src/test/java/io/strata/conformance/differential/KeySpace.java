package io.strata.conformance.differential;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The small set of keys a run touches, chosen to share prefixes ("a", "a/", "a/b/1", "ab") so
 * that prefix ranges, from-key ranges and explicit ranges overlap in interesting ways, plus a
 * key ending in 0xff whose prefix end has to carry. Also the values puts write.
 */
final class KeySpace {
    static final List<ByteString> KEYS;

    static {
        List<ByteString> keys = new ArrayList<>();
        for (String key : List.of("a", "a/", "a/1", "a/2", "a/b", "a/b/1", "a/b/2", "ab", "b", "b/1", "b/2", "c")) {
            keys.add(ByteString.copyFrom(key, StandardCharsets.UTF_8));
        }
        keys.add(ByteString.copyFrom(new byte[] {'z', (byte) 0xff}));
        KEYS = List.copyOf(keys);
    }

    /** A key and the end of its range; an empty end means the single key. */
    record KeyRange(ByteString key, ByteString end) {}

    private final Random random;

    KeySpace(Random random) {
        this.random = random;
    }

    ByteString key() {
        return KEYS.get(random.nextInt(KEYS.size()));
    }

    /** Every form of range_end etcd gives a meaning to, and some it does not. */
    KeyRange range() {
        ByteString key = key();
        int form = random.nextInt(100);
        if (form < 40) {
            return new KeyRange(key, ByteString.EMPTY);
        }
        if (form < 65) {
            return new KeyRange(key, prefixEnd(key));
        }
        if (form < 75) {
            return new KeyRange(key, ByteString.copyFrom(new byte[] {0}));
        }
        if (form < 95) {
            // Random bounds: sometimes a real range, sometimes one that ends before it starts.
            return new KeyRange(key, key());
        }
        return new KeyRange(ByteString.copyFrom(new byte[] {0}), ByteString.copyFrom(new byte[] {0}));
    }

    ByteString value() {
        int form = random.nextInt(10);
        if (form < 2) {
            return ByteString.EMPTY;
        }
        if (form < 8) {
            return ByteString.copyFrom("v" + random.nextInt(20), StandardCharsets.UTF_8);
        }
        byte[] bytes = new byte[1 + random.nextInt(8)];
        random.nextBytes(bytes);
        return ByteString.copyFrom(bytes);
    }

    static ByteString prefixEnd(ByteString prefix) {
        byte[] end = prefix.toByteArray();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xff) {
                end[i]++;
                return ByteString.copyFrom(end, 0, i + 1);
            }
        }
        return ByteString.copyFrom(new byte[] {0});
    }
}
