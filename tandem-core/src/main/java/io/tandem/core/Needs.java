package io.tandem.core;

import io.tandem.core.time.Durations;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a workload declares it needs ({@code needs:} in the config), from which the planner assigns its path.
 * Every need is optional: null means "not declared", and the planner then takes the workload kind's default.
 *
 * @param userWaiting  a user is waiting for the answer
 * @param trigger      the workload raises alerts or notifications
 * @param sessionBound the data belongs to a user's session
 * @param freshnessMs  how fresh an answer must be, in milliseconds
 * @param stalenessMs  how stale an answer may be, in milliseconds
 * @param volume       records per day, or {@link Volume#AUTO} for the stream's observed rate
 * @param complex      the workload needs complex aggregations
 */
public record Needs(Boolean userWaiting, Boolean trigger, Boolean sessionBound, Long freshnessMs, Long stalenessMs,
                    Volume volume, Boolean complex) {

    /** No need declared. */
    public static final Needs NONE = new Needs(null, null, null, null, null, null, null);

    /**
     * The volume: records per day as declared, or {@code auto} for the rate observed on the workload's streams.
     *
     * @param perDay records per day; for {@code auto}, the observed rate, or -1 while it is not observed
     */
    public record Volume(boolean auto, long perDay) {
        /** {@code volume: auto}, not observed yet. */
        public static final Volume AUTO = new Volume(true, -1);

        public static Volume perDay(long records) {
            return new Volume(false, records);
        }

        /** {@code volume: auto}, observed at this rate. */
        public static Volume observed(long records) {
            return new Volume(true, records);
        }
    }

    /** The needs declared here, with every need this one does not declare taken from {@code defaults}. */
    public Needs orElse(Needs defaults) {
        return new Needs(
                userWaiting != null ? userWaiting : defaults.userWaiting,
                trigger != null ? trigger : defaults.trigger,
                sessionBound != null ? sessionBound : defaults.sessionBound,
                freshnessMs != null ? freshnessMs : defaults.freshnessMs,
                stalenessMs != null ? stalenessMs : defaults.stalenessMs,
                volume != null ? volume : defaults.volume,
                complex != null ? complex : defaults.complex);
    }

    /**
     * The needs that are set, by config key, as the config spells them: booleans, durations as written by
     * {@link Durations#format}, volume as a number or {@code "auto"}.
     */
    public Map<String, Object> toConfigMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        put(map, "user_waiting", userWaiting);
        put(map, "trigger", trigger);
        put(map, "session_bound", sessionBound);
        put(map, "freshness", freshnessMs == null ? null : Durations.format(freshnessMs));
        put(map, "staleness", stalenessMs == null ? null : Durations.format(stalenessMs));
        put(map, "volume", volume == null ? null : volume.auto ? "auto" : (Object) volume.perDay);
        put(map, "complex", complex);
        return map;
    }

    private static void put(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
