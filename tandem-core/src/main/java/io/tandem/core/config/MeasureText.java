package io.tandem.core.config;

import io.tandem.core.MeasureDef;

/**
 * Reads a measure as written in a view: {@code count}, {@code sum(qty)}, {@code quantile(qty, 0.99)},
 * {@code count where qty >= 1000}, {@code mean(price) where symbol == 'A'}.
 *
 * <pre>
 * measure  := function [ "(" [ field [ "," number ] ] ")" ] [ "where" condition ]
 * function := name          field := name          name := [A-Za-z_][A-Za-z0-9_]*
 * </pre>
 *
 * Only the shape is checked here; whether the function exists and suits the field is for
 * {@link io.tandem.core.measure.Measures#compile}, and the condition is CEL, passed on as written.
 */
final class MeasureText {

    private static final String EXAMPLES = "count, sum(qty), quantile(qty, 0.99) or count where qty > 0";

    private final String text;
    private int pos;

    private MeasureText(String text) {
        this.text = text;
    }

    /**
     * @throws IllegalArgumentException quoting the text when it is not a measure
     */
    static MeasureDef parse(String name, String text) {
        return new MeasureText(text).measure(name);
    }

    private MeasureDef measure(String name) {
        String function = name();
        String field = null;
        Double parameter = null;
        if (accept('(')) {
            if (!accept(')')) {
                field = name();
                if (accept(',')) {
                    parameter = number();
                }
                expect(')');
            }
        }
        return new MeasureDef(name, function, field, parameter, where());
    }

    /** The condition after {@code where}, or null when the text ends here. */
    private String where() {
        skipSpaces();
        if (pos == text.length()) {
            return null;
        }
        if (!text.startsWith("where", pos)) {
            throw invalid();
        }
        pos += "where".length();
        if (pos < text.length() && !Character.isWhitespace(text.charAt(pos))) {
            throw invalid();
        }
        String condition = text.substring(pos).trim();
        if (condition.isEmpty()) {
            throw new IllegalArgumentException("expected a condition after 'where', got \"" + text + "\"");
        }
        return condition;
    }

    private String name() {
        skipSpaces();
        int start = pos;
        if (pos < text.length() && ConfigLoader.isNameStart(text.charAt(pos))) {
            pos++;
            while (pos < text.length() && ConfigLoader.isNamePart(text.charAt(pos))) {
                pos++;
            }
        }
        if (pos == start) {
            throw invalid();
        }
        return text.substring(start, pos);
    }

    private double number() {
        skipSpaces();
        int start = pos;
        while (pos < text.length() && "0123456789.eE+-".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
        try {
            return Double.parseDouble(text.substring(start, pos));
        } catch (NumberFormatException e) {
            throw invalid();
        }
    }

    private boolean accept(char c) {
        skipSpaces();
        if (pos < text.length() && text.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!accept(c)) {
            throw invalid();
        }
    }

    private void skipSpaces() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private IllegalArgumentException invalid() {
        return new IllegalArgumentException("expected a measure like " + EXAMPLES + ", got \"" + text + "\"");
    }
}
