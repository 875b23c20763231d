package dev.sonde.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KubeDurationTest {

    @ParameterizedTest
    @CsvSource({
            "15s, PT15S",
            "1m30s, PT1M30S",
            "250ms, PT0.25S",
            "1.5s, PT1.5S",
            "2h, PT2H",
            "10m, PT10M",
            "850us, PT0.00085S",
            "850µs, PT0.00085S",
            "0, PT0S"})
    void parsesGoDurations(String text, String iso) {
        assertThat(KubeDuration.parse(text)).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "15", "s", "15 s", "-5s", "1d", "15sec"})
    void rejectsWhatIsNotADuration(String text) {
        assertThatThrownBy(() -> KubeDuration.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({
            "PT0S, 0s",
            "PT0.000000500S, 500ns",
            "PT0.00085S, 850µs",
            "PT0.0125S, 12.5ms",
            "PT0.012345678S, 12.3ms",
            "PT1.5S, 1.5s",
            "PT15S, 15s",
            "PT1M30S, 1m30s",
            "PT2H, 2h0m0s"})
    void formatsLikeGo(String iso, String text) {
        assertThat(KubeDuration.format(Duration.parse(iso))).isEqualTo(text);
    }

    @Test
    void formatThenParseKeepsThreeSignificantDigits() {
        Duration d = Duration.ofNanos(12_345_678);
        assertThat(KubeDuration.parse(KubeDuration.format(d))).isEqualTo(Duration.ofNanos(12_300_000));
    }
}
