package io.tandem.core.config;

import java.util.List;
import java.util.NoSuchElementException;

/**
 * One mapping of {@code tandem.yaml} and the keys it admits, as {@link ConfigKeys} defines it. A section of a
 * swappable part ({@code log}, {@code store}, {@code batch}) also names the key that picks its kind and the kinds;
 * each kind admits the keys {@link ConfigKey#takenBy} it.
 *
 * @param title   the section's heading in the reference
 * @param path    where the mapping is, with a placeholder for each name the user chooses: {@code streams.<stream>}
 * @param sample  the same path with the names of the reference's examples: {@code [streams, trades]}; empty for the
 *                top level
 * @param about   what the section is for, in a few sentences of Markdown
 * @param keys    its keys, in the order error messages list them
 * @param kindKey the key that picks a part's kind, or null when the section is not a part's
 * @param kinds   the kinds of the part, or empty
 */
public record ConfigSection(String title, String path, List<String> sample, String about, List<ConfigKey> keys,
                            String kindKey, List<String> kinds) {

    public ConfigSection {
        sample = List.copyOf(sample);
        keys = List.copyOf(keys);
        kinds = List.copyOf(kinds);
    }

    /** A section that is not a swappable part's. */
    public static ConfigSection of(String title, String path, List<String> sample, String about,
                                   ConfigKey... keys) {
        return new ConfigSection(title, path, sample, about, List.of(keys), null, List.of());
    }

    /** The names of the keys, in order: what validation admits here. */
    public List<String> names() {
        return keys.stream().map(ConfigKey::name).toList();
    }

    /** The names of the keys a part of this kind admits, in order. */
    public List<String> names(String kind) {
        return keys.stream().filter(k -> k.takenBy(kind)).map(ConfigKey::name).toList();
    }

    /** The keys every kind of a part takes besides the kind key ({@code batch.every}), in order. */
    public List<String> commonNames() {
        return keys.stream().filter(k -> k.kinds().isEmpty() && !k.name().equals(kindKey))
                .map(ConfigKey::name).toList();
    }

    /** @throws NoSuchElementException when the section has no such key */
    public ConfigKey key(String name) {
        return keys.stream().filter(k -> k.name().equals(name)).findFirst()
                .orElseThrow(() -> new NoSuchElementException(path + " has no key " + name));
    }

    /** The YAML of an example of this section as a whole config holds it: nested under {@link #sample}. */
    public String placed(String example) {
        StringBuilder yaml = new StringBuilder();
        String indent = "";
        for (String name : sample) {
            yaml.append(indent).append(name).append(":\n");
            indent += "  ";
        }
        for (String line : example.stripTrailing().split("\n", -1)) {
            yaml.append(line.isEmpty() ? "" : indent + line).append('\n');
        }
        return yaml.toString();
    }
}
