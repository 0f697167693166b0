package io.tandem.core.expr;

import io.tandem.core.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.tandem.core.expr.Events.STREAM;
import static io.tandem.core.expr.Events.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExpressionsTest {

    private final Row aapl = row(-86_400_000L, "AAPL", 101.5, 20L, 1_000L, true);
    private final Row nulls = row(5L, null, null, null, null, null);

    @Test
    void when_fieldIsUnknown_then_messageNamesTheExpressionAndTheField() {
        assertThatThrownBy(() -> Expressions.predicate("qtty > 0", STREAM))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid condition \"qtty > 0\": undeclared reference to 'qtty'");
    }

    @Test
    void when_expressionDoesNotParse_then_messageSaysWhere() {
        assertThatThrownBy(() -> Expressions.predicate("q > ", STREAM))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid condition \"q > \": mismatched input '<EOF>'");
    }

    @Test
    void when_resultIsNotBool_then_itIsRejected() {
        assertThatThrownBy(() -> Expressions.predicate("q + 1", STREAM))
                .hasMessage("invalid condition \"q + 1\": expected a bool result, got int");
    }

    @Test
    void when_typesDoNotMatch_then_checkerMessageIsKept() {
        assertThatThrownBy(() -> Expressions.predicate("s > 1", STREAM))
                .hasMessageStartingWith("invalid condition \"s > 1\": found no matching overload for '_>_'");
        assertThatThrownBy(() -> Expressions.predicate(" ", STREAM)).hasMessage("invalid condition \" \": empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "q > 10 && s.startsWith('A')", "p > 100", "p >= 101.5 && p < 102.0", "q * 2 + 1 == 41",
        "s in ['MSFT', 'AAPL']", "q in [1, 20]", "time < 0", "ts >= 1000 && ts % 10 == 0", "b",
        "!(q < 5) || p < 0.0", "s.endsWith('PL') && s.contains('AP') && size(s) == 4", "double(q) / 2.0 == 10.0",
        "b ? q > 1 : q < 1", "b == true", "'x' + s == 'xAAPL'"})
    void when_expressionIsInTheSubset_then_itIsCompiledAndHolds(String cel) {
        assertThat(Expressions.compiled(cel, STREAM)).as("compiled").isNotNull();
        assertThat(Expressions.predicate(cel, STREAM).test(aapl)).isTrue();
        assertThat(Expressions.interpreted(cel, STREAM).test(aapl)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"s.matches('^A')", "[1, 20].exists(x, x == q)", "int(p) == 101", "string(q) == '20'"})
    void when_expressionIsOutsideTheSubset_then_theInterpreterRunsIt(String cel) {
        assertThat(Expressions.compiled(cel, STREAM)).isNull();
        assertThat(Expressions.predicate(cel, STREAM).test(aapl)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"q > 0", "q <= 0", "!(q > 0)", "s == 'A'", "s != 'A'", "b", "!b", "p > 1", "ts > 0",
        "s.startsWith('')", "q in [1]", "s.matches('.*')"})
    void when_fieldIsNull_then_conditionDoesNotHold(String cel) {
        assertThat(Expressions.predicate(cel, STREAM).test(nulls)).isFalse();
    }

    @Test
    void when_nullSideIsAbsorbed_then_orAndAndDecideLikeCel() {
        assertThat(Expressions.predicate("q > 0 || time == 5", STREAM).test(nulls)).isTrue();
        assertThat(Expressions.predicate("s.matches('x') || time == 5", STREAM).test(nulls)).isTrue();
        assertThat(Expressions.predicate("!(q > 0 && time == 6)", STREAM).test(nulls)).isTrue();
    }

    @Test
    void when_arithmeticFails_then_conditionDoesNotHoldAndNothingIsThrown() {
        Row max = row(0, "A", 1.0, Long.MAX_VALUE, 0L, true);
        assertThat(Expressions.predicate("q + 1 > 0", STREAM).test(max)).isFalse();
        assertThat(Expressions.predicate("q / (ts - ts) > 0", STREAM).test(max)).isFalse();
        assertThat(Expressions.predicate("q / (ts - ts) > 0 || b", STREAM).test(max)).isTrue();
        assertThat(Expressions.interpreted("q + 1 > 0", STREAM).test(max)).isFalse();
    }

    @Test
    void when_timeFieldIsNotDeclared_then_itReadsTheEventTimeBefore1970() {
        assertThat(Expressions.predicate("time == -86400000", STREAM).test(aapl)).isTrue();
        assertThat(Expressions.interpreted("time == -86400000", STREAM).test(aapl)).isTrue();
    }
}
