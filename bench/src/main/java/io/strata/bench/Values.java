package io.strata.bench;

import com.google.protobuf.ByteString;
import java.util.Random;

/** Values written by the workloads. */
final class Values {
    // A fixed seed: every run writes the same bytes, so two servers store the same data.
    private static final long seed = 0x5EED;

    private Values() {
    }

    /** Printable pseudo-random bytes, so compression in the path would not flatter a server. */
    static ByteString filler(int sizeBytes) {
        Random random = new Random(seed);
        byte[] bytes = new byte[sizeBytes];
        for (int i = 0; i < sizeBytes; i++) {
            bytes[i] = (byte) ('!' + random.nextInt(94));
        }
        return ByteString.copyFrom(bytes);
    }
}
