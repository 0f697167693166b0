package io.tandem.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An alert rule: a CEL condition checked on the events of a stream or on the buckets of a view.
 *
 * <p>A rule on a stream ({@code stream: trades}, {@code on: event}) tests each event; its condition reads the
 * stream's fields and runs as compiled Java where it can. A rule on a view ({@code view: trades_1m}) tests one
 * bucket of one group: {@code on: update} after every change to the bucket, {@code on: close} once, when the
 * stream's watermark passes the bucket's end. Its condition reads the bucket's measures — {@code count} and
 * {@code distinct} as CEL {@code int}, every other measure as {@code double} (see {@link #measureTypes}) — and
 * {@code prev}, the up to {@code prev} previous buckets of the same group that hold events, newest first.
 *
 * <p>A rule fires at most once per (rule, dims, bucket), or once per event for {@code on: event}.
 *
 * @param view      the view a bucket rule reads, or null for an event rule
 * @param stream    the stream an event rule reads, or null for a bucket rule
 * @param forEach   the dimensions that identify an alert and are reported with it: for a view rule its group_by
 *                  fields (in group_by order), for a stream rule any of the stream's fields (empty by default)
 * @param condition a CEL boolean expression
 * @param prev      how many previous buckets {@code prev} holds at most: declared, or derived from the largest
 *                  constant index the condition reads ({@code prev[2]} → 3); 0 for event rules
 * @param webhook   an http(s) URL each alert of the rule is POSTed to, or null
 * @param needs     what the rule declares it needs; an alert is a trigger, so the planner keeps it on the hot path
 */
public record AlertDef(String name, String view, String stream, List<String> forEach, Trigger on, String condition,
                       int prev, String webhook, Needs needs) {

    public AlertDef {
        forEach = List.copyOf(forEach);
    }

    /** A rule that declares no needs. */
    public AlertDef(String name, String view, String stream, List<String> forEach, Trigger on, String condition,
                    int prev, String webhook) {
        this(name, view, stream, forEach, on, condition, prev, webhook, Needs.NONE);
    }

    /** When a rule is checked. */
    public enum Trigger {
        /** Each event of the stream. */
        EVENT,
        /** The open bucket, after each change to it. */
        UPDATE,
        /** The final value of a bucket, once the watermark passes its end. */
        CLOSE;

        /** The config spelling: {@code event}, {@code update}, {@code close}. */
        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The type each measure of {@code view} has in a bucket rule's condition: {@link FieldType#LONG} (CEL
     * {@code int}) for {@code count} and {@code distinct}, {@link FieldType#DOUBLE} for every other measure, so that
     * arithmetic mixes them freely ({@code volume / prev[0].volume}) and literals are written {@code 5.0}.
     */
    public static Map<String, FieldType> measureTypes(ViewDef view) {
        Map<String, FieldType> types = new LinkedHashMap<>();
        view.measures().forEach((name, m) -> types.put(name,
                "count".equalsIgnoreCase(m.function()) || "distinct".equalsIgnoreCase(m.function())
                        ? FieldType.LONG : FieldType.DOUBLE));
        return types;
    }
}
