package io.tandem.core.expr;

import io.tandem.core.FieldType;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CelConditionTest {

    private final CelCondition alert = CelCondition.compile("total > 1000.0 && n >= 10 && symbol != 'TEST'",
            Map.of("total", FieldType.DOUBLE, "n", FieldType.LONG, "symbol", FieldType.STRING));

    @Test
    void when_valuesSatisfyTheCondition_then_itHolds() {
        assertThat(alert.test(Map.of("total", 1500.0, "n", 12L, "symbol", "AAPL"))).isTrue();
        assertThat(alert.test(Map.of("total", 500.0, "n", 12L, "symbol", "AAPL"))).isFalse();
    }

    @Test
    void when_numbersHaveOtherJavaTypes_then_theyAreConverted() {
        assertThat(alert.test(Map.of("total", 1500, "n", 12, "symbol", "AAPL"))).isTrue();
    }

    @Test
    void when_valueIsMissingOrNull_then_conditionDoesNotHold() {
        Map<String, Object> values = new HashMap<>();
        values.put("total", null);
        values.put("n", 12L);
        assertThat(alert.test(values)).isFalse();
        assertThat(alert.test(Map.of())).isFalse();
    }

    @Test
    void when_variableIsUndeclared_then_compileFailsWithCelsMessage() {
        assertThatThrownBy(() -> CelCondition.compile("totl > 1.0", Map.of("total", FieldType.DOUBLE)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid condition \"totl > 1.0\": undeclared reference to 'totl'");
        assertThat(alert.expression()).startsWith("total > 1000.0");
    }
}
