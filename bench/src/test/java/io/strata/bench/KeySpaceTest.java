package io.strata.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

class KeySpaceTest {
    @Test
    void keysHaveExactlyTheKeySizeAndSortLikeTheirIndexes() {
        KeySpace keys = new KeySpace(8, 100_000);
        assertThat(keys.key(0).toStringUtf8()).isEqualTo("00000000");
        assertThat(keys.key(99_999).toStringUtf8()).isEqualTo("00099999");
        assertThat(ByteString.unsignedLexicographicalComparator().compare(keys.key(9), keys.key(10))).isNegative();
    }

    @Test
    void endSortsAfterEveryKeyOfAPartialSpace() {
        KeySpace keys = new KeySpace(3, 500);
        assertThat(keys.end().toStringUtf8()).isEqualTo("500");
        assertThat(ByteString.unsignedLexicographicalComparator().compare(keys.key(499), keys.end())).isNegative();
    }

    @Test
    void endSortsAfterEveryKeyOfAFullSpace() {
        KeySpace keys = new KeySpace(2, 100);
        assertThat(ByteString.unsignedLexicographicalComparator().compare(keys.key(99), keys.end())).isNegative();
        assertThat(ByteString.unsignedLexicographicalComparator().compare(keys.first(), keys.end())).isNegative();
    }

    @Test
    void sequentialIndexesWrapAroundTheSpace() {
        KeySpace keys = new KeySpace(1, 3);
        assertThat(new long[] {keys.sequentialIndex(), keys.sequentialIndex(), keys.sequentialIndex(),
                keys.sequentialIndex()}).containsExactly(0, 1, 2, 0);
    }

    @Test
    void aKeySpaceThatDoesNotFitTheKeySizeIsRejected() {
        assertThatThrownBy(() -> new KeySpace(4, 100_000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--key-size");
    }
}
