package io.tandem.core.config;

import io.tandem.core.MeasureDef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MeasureTextTest {

    @Test
    void bareFunction() {
        assertThat(MeasureText.parse("n", "count")).isEqualTo(new MeasureDef("n", "count", null, null, null));
        assertThat(MeasureText.parse("n", "count()")).isEqualTo(new MeasureDef("n", "count", null, null, null));
    }

    @Test
    void functionOfAField() {
        assertThat(MeasureText.parse("v", "sum(qty)")).isEqualTo(new MeasureDef("v", "sum", "qty", null, null));
    }

    @Test
    void functionWithAParameter_spacesAnywhere() {
        assertThat(MeasureText.parse("p", " quantile( qty ,0.99 ) "))
                .isEqualTo(new MeasureDef("p", "quantile", "qty", 0.99, null));
        assertThat(MeasureText.parse("p", "quantile(qty, 1e-2)").parameter()).isEqualTo(0.01);
    }

    @Test
    void whereCondition_isKeptAsWritten() {
        assertThat(MeasureText.parse("big", "count where qty >= 1000"))
                .isEqualTo(new MeasureDef("big", "count", null, null, "qty >= 1000"));
        assertThat(MeasureText.parse("a", "mean(price) where symbol == 'A' && (qty > 1)"))
                .isEqualTo(new MeasureDef("a", "mean", "price", null, "symbol == 'A' && (qty > 1)"));
        assertThat(MeasureText.parse("a", "sum(qty)where\tqty > 1").where()).isEqualTo("qty > 1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "sum(qty", "sum(qty))", "sum qty", "sum(1qty)", "quantile(qty, high)",
        "quantile(qty, 0.99, 3)", "sum(qty) if qty > 1", "count whereas qty > 1", "(qty)", "sum(qty,)"})
    void malformed_isRejectedQuotingTheText(String text) {
        assertThatThrownBy(() -> MeasureText.parse("m", text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected a measure like count, sum(qty), quantile(qty, 0.99) or count where qty > 0, "
                        + "got \"" + text + "\"");
    }

    @Test
    void whereWithoutCondition_saysSo() {
        assertThatThrownBy(() -> MeasureText.parse("m", "count where  "))
                .hasMessage("expected a condition after 'where', got \"count where  \"");
    }
}
