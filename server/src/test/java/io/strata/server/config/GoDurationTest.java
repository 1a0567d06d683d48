package io.strata.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationTest {

    @Test
    void parsesEtcdStyleDurations() throws Exception {
        assertThat(GoDuration.parse("0")).isEqualTo(Duration.ZERO);
        assertThat(GoDuration.parse("100ms")).isEqualTo(Duration.ofMillis(100));
        assertThat(GoDuration.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDuration.parse("2.5s")).isEqualTo(Duration.ofMillis(2500));
        assertThat(GoDuration.parse("1us")).isEqualTo(Duration.ofNanos(1000));
        assertThat(GoDuration.parse("1µs")).isEqualTo(Duration.ofNanos(1000));
        assertThat(GoDuration.parse("-3s")).isEqualTo(Duration.ofSeconds(-3));
        assertThat(GoDuration.parse(".5h")).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void rejectsBareNumbersAndUnknownUnitsWithEtcdsWords() {
        assertThatThrownBy(() -> GoDuration.parse("10")).hasMessage("time: missing unit in duration \"10\"");
        assertThatThrownBy(() -> GoDuration.parse("1x")).hasMessage("time: unknown unit \"x\" in duration \"1x\"");
        assertThatThrownBy(() -> GoDuration.parse("")).hasMessage("time: invalid duration \"\"");
        assertThatThrownBy(() -> GoDuration.parse("ms")).hasMessage("time: invalid duration \"ms\"");
        assertThatThrownBy(() -> GoDuration.parse("99999999999999999999h")).hasMessage("time: invalid duration \"99999999999999999999h\"");
    }

    @Test
    void formatsAsEtcdPrintsDurations() {
        assertThat(GoDuration.format(Duration.ZERO)).isEqualTo("0s");
        assertThat(GoDuration.format(Duration.ofMillis(100))).isEqualTo("100ms");
        assertThat(GoDuration.format(Duration.ofMinutes(10))).isEqualTo("10m0s");
        assertThat(GoDuration.format(Duration.ofMinutes(90))).isEqualTo("1h30m0s");
        assertThat(GoDuration.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(GoDuration.format(Duration.ofNanos(1500))).isEqualTo("1.5µs");
    }
}
