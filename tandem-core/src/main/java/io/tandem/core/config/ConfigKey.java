package io.tandem.core.config;

import java.util.List;

/**
 * One key of {@code tandem.yaml} as {@link ConfigKeys} defines it: validation admits it, {@code tandem
 * config-reference} documents it. Type and default are Markdown, so a literal reads as code ({@code `5s`}) and
 * a rule as prose ({@code the view's group_by}).
 *
 * @param name      the key as written
 * @param type      what it takes: a type, a range or the allowed values
 * @param byDefault what it is when left out, or {@code required}
 * @param meaning   what it does, in a sentence or two
 * @param example   YAML at the level of its section, as it would be written there; it may set other keys of the
 *                  section that it needs (an engine's setting with its engine)
 * @param kinds     the kinds of a swappable part ({@code log}, {@code store}, {@code batch}) that take it; empty
 *                  when every kind does
 * @param wholeItem the example is a whole item of its section, not lines added to a minimal one (a rule on a stream
 *                  cannot share a rule on a view's keys)
 */
public record ConfigKey(String name, String type, String byDefault, String meaning, String example,
                        List<String> kinds, boolean wholeItem) {

    /** What {@link #byDefault} says of a key that must be given. */
    public static final String REQUIRED = "required";

    public ConfigKey {
        kinds = List.copyOf(kinds);
    }

    /** A key every kind takes, with an example to add to a minimal item. */
    public static ConfigKey of(String name, String type, String byDefault, String meaning, String example) {
        return new ConfigKey(name, type, byDefault, meaning, example, List.of(), false);
    }

    /** The same key, taken only by these kinds of its part. */
    public ConfigKey onlyFor(String... only) {
        return new ConfigKey(name, type, byDefault, meaning, example, List.of(only), wholeItem);
    }

    /** The same key, its example being a whole item of its section. */
    public ConfigKey exampleIsWholeItem() {
        return new ConfigKey(name, type, byDefault, meaning, example, kinds, true);
    }

    /** Whether a part of this kind takes the key. */
    public boolean takenBy(String kind) {
        return kinds.isEmpty() || kinds.contains(kind);
    }
}
