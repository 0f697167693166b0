package io.tandem.core.config;

import java.util.List;

/**
 * A configuration that cannot be used, with every problem found in it.
 *
 * <p>Each error is one line that starts with the path of the bad key, e.g.
 * {@code views.trades_1m.granularity: must divide 1d evenly (like 1s, 5s, 1m, 5m, 15m or 1h), got 7m}; a YAML
 * syntax error starts with its position instead: {@code line 3, column 2: ...}. The message is all the errors,
 * one per line, in file order, except that the unknown keys of a mapping come before the errors inside it.
 */
public final class ConfigException extends RuntimeException {

    private final String source;
    private final List<String> errors;

    /**
     * @param source where the configuration came from (a file name), for the caller to show
     * @param errors at least one error
     */
    public ConfigException(String source, List<String> errors) {
        super(String.join("\n", errors));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one error");
        }
        this.source = source;
        this.errors = List.copyOf(errors);
    }

    /** Where the configuration came from, as given to {@link ConfigLoader#parse}. */
    public String source() {
        return source;
    }

    /** Every error, in the order of the message. */
    public List<String> errors() {
        return errors;
    }
}
