package io.tandem.core;

/** The types a stream field may declare. */
public enum FieldType {
    STRING, LONG, DOUBLE, BOOLEAN, TIMESTAMP;

    /** The config spelling: {@code string}, {@code long}, ... */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public boolean isNumeric() {
        return this == LONG || this == DOUBLE || this == TIMESTAMP;
    }
}
