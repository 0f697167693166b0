package io.tandem.core;

import java.util.Arrays;

/** The values of a view's group-by dimensions for one row, in {@code group_by} order. */
public final class GroupKey implements Comparable<GroupKey> {

    public static final GroupKey EMPTY = new GroupKey(new Object[0]);

    private final Object[] values;
    private final int hash;

    private GroupKey(Object[] values) {
        this.values = values;
        this.hash = Arrays.hashCode(values);
    }

    /** Takes ownership of {@code values}: the caller must not change the array afterwards. */
    public static GroupKey of(Object... values) {
        return values.length == 0 ? EMPTY : new GroupKey(values);
    }

    public int size() {
        return values.length;
    }

    /** A String, Long, Double, Boolean or null. */
    public Object get(int i) {
        return values[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GroupKey k && hash == k.hash && Arrays.equals(values, k.values);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public int compareTo(GroupKey o) {
        for (int i = 0; i < Math.min(values.length, o.values.length); i++) {
            Object a = values[i];
            Object b = o.values[i];
            if (a == b) {
                continue;
            }
            if (a == null) {
                return -1;
            }
            if (b == null) {
                return 1;
            }
            int c = a.getClass() == b.getClass() ? ((Comparable) a).compareTo(b) : a.toString().compareTo(b.toString());
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(values.length, o.values.length);
    }

    @Override
    public String toString() {
        return Arrays.toString(values);
    }
}
