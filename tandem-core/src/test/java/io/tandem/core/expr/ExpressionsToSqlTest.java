package io.tandem.core.expr;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.tandem.core.expr.Events.STREAM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which conditions translate to SQL; that they pass the same rows is checked against DuckDB in the engine. */
class ExpressionsToSqlTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "q > 10 && s.startsWith('A')", "p > 100", "p >= 101.5 && p < 102.0", "q * 2 + 1 == 41",
        "s in ['MSFT', 'AAPL']", "q in [1, 20]", "time < 0", "ts >= 1000 && ts % 10 == 0", "b",
        "!(q < 5) || p < 0.0", "s.endsWith('PL') && s.contains('AP') && size(s) == 4", "double(q) / 2.0 == 10.0",
        "b ? q > 1 : q < 1", "b == true", "'x' + s == 'xAAPL'", "-q < 0", "-p < 1.0", "q / 0 > 1"})
    void when_expressionIsInTheCompiledSubset_then_itTranslates(String cel) {
        assertThat(Expressions.compiled(cel, STREAM)).as("compiled").isNotNull();
        assertThat(Expressions.toSql(cel, STREAM)).as(cel).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"s.matches('^A')", "[1, 20].exists(x, x == q)", "int(p) == 101", "string(q) == '20'",
        "s < 'B'", "s >= 'A' && q > 1", "q in []"})
    void when_expressionIsOutsideTheSubset_then_itDoesNotTranslate(String cel) {
        assertThat(Expressions.toSql(cel, STREAM)).as(cel).isEmpty();
    }

    @Test
    void when_expressionIsInvalid_then_theMessageIsThePredicatesOne() {
        assertThatThrownBy(() -> Expressions.toSql("qtty > 0", STREAM))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid condition \"qtty > 0\": undeclared reference to 'qtty'");
    }

    @Test
    void when_translated_then_timestampsAreEpochMillisAndIntegerArithmeticIsGuarded() {
        assertThat(Expressions.toSql("ts >= 1000 && time < 0", STREAM)).hasValue(
                "((epoch_ms(\"ts\") >= CAST(1000 AS BIGINT)) AND (epoch_ms(\"time\") < CAST(0 AS BIGINT)))");
        assertThat(Expressions.toSql("q + 1 > 2", STREAM))
                .hasValue("(TRY(\"q\" + CAST(1 AS BIGINT)) > CAST(2 AS BIGINT))");
        assertThat(Expressions.toSql("s == 'it''s'".replace("''", "\\'"), STREAM)).hasValue("(\"s\" = 'it''s')");
    }

    @Test
    void when_anIntIsComparedWithADouble_then_negativeZeroStaysBelowZero() {
        assertThat(Expressions.toSql("p >= 0", STREAM)).hasValue("((CASE WHEN \"p\" = 0 AND signbit(\"p\")"
                + " THEN CAST('-4.9E-324' AS DOUBLE) ELSE \"p\" END) >= CAST(CAST(0 AS BIGINT) AS DOUBLE))");
        assertThat(Expressions.toSql("p >= 5", STREAM)).hasValue("(\"p\" >= CAST(CAST(5 AS BIGINT) AS DOUBLE))");
    }
}
