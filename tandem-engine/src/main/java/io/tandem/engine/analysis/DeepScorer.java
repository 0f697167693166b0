package io.tandem.engine.analysis;

import com.amazon.randomcutforest.parkservices.AnomalyDescriptor;
import com.amazon.randomcutforest.parkservices.ThresholdedRandomCutForest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * The deep pass's judgement of one bucket value against the group's history: a seasonal baseline and a forest
 * trained on that history. Pure: history in, verdict out.
 *
 * <p>The baseline is the median and the robust spread (1.4826 × the median absolute deviation) of the history's
 * values in the same slot as the bucket: the same hour of the same day of the week when the history holds that
 * slot from at least two weeks ({@code day_of_week_hour}), else the same hour of the day from at least two days
 * ({@code hour_of_day}), else all of it ({@code global}). How unusual the value is: its robust z-score,
 * {@code (value - expected) / spread}; the expected range is {@code expected ± 3 spread}.
 *
 * <p>The forest is a fresh one of the quick pass's shape, fed the history in order and then the value. The bucket
 * is anomalous when it lies outside the expected range ({@code |z| >= }{@value #Z_RANGE}) and the forest grades it
 * anomalous too, or when it lies far outside ({@code |z| >= }{@value #Z_FAR}) whatever the forest says; its grade is
 * then the forest's, or {@code min(1, |z| / (2 × }{@value #Z_FAR}{@code ))} when the forest gave none.
 */
final class DeepScorer {

    static final String MODEL = "seasonal-baseline+trcf";
    static final double Z_RANGE = 3;
    static final double Z_FAR = 6;
    /** How many of the latest history values the explanation carries, for a chart. */
    static final int RECENT = 60;
    /** At most this many of the latest history values train the forest. */
    static final int MAX_TRAIN = 20_160;

    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;
    private static final long WEEK = 7 * DAY;
    private static final int MIN_SLOT_POINTS = 3;

    private DeepScorer() {
    }

    /** One bucket's value. */
    record Point(long bucket, double value) {
    }

    /** A baseline: what was expected, and how widely values spread around it. */
    record Baseline(String kind, double expected, double spread, int points) {
    }

    /** The verdict. {@code recent} are the latest history points with the baseline expected for each. */
    record Verdict(double score, double grade, double forestScore, double forestGrade, Baseline baseline, double z,
                   double low, double high, List<Point> recent, List<Double> recentExpected) {
    }

    /** Judges {@code target} against {@code history} (the buckets before it, oldest first). */
    static Verdict judge(List<Point> history, Point target, long seed) {
        Baseline base = baseline(history, target.bucket());
        double z = base.points() == 0 ? 0 : (target.value() - base.expected()) / base.spread();
        ThresholdedRandomCutForest forest = QuickModel.forest(seed);
        long seq = 0;
        for (Point p : history.subList(Math.max(0, history.size() - MAX_TRAIN), history.size())) {
            forest.process(new double[]{p.value()}, seq++);
        }
        AnomalyDescriptor d = forest.process(new double[]{target.value()}, seq);
        double forestGrade = d.getAnomalyGrade();
        double az = Math.abs(z);
        double grade = 0;
        if (az >= Z_FAR || (az >= Z_RANGE && forestGrade > 0)) {
            grade = forestGrade > 0 ? forestGrade : Math.min(1, az / (2 * Z_FAR));
        }
        List<Point> recent = history.subList(Math.max(0, history.size() - RECENT), history.size());
        List<Double> expected = new ArrayList<>(recent.size());
        Map<Long, Double> bySlot = new HashMap<>();
        ToLongFunction<Long> slot = slotOf(base.kind());
        for (Point p : recent) {
            expected.add(bySlot.computeIfAbsent(slot.applyAsLong(p.bucket()),
                    s -> baselineOfKind(history, p.bucket(), base.kind()).expected()));
        }
        return new Verdict(d.getRCFScore(), grade, d.getRCFScore(), forestGrade, base, z,
                base.expected() - Z_RANGE * base.spread(), base.expected() + Z_RANGE * base.spread(),
                List.copyOf(recent), expected);
    }

    /** The most seasonal baseline the history supports for {@code bucket}. */
    static Baseline baseline(List<Point> history, long bucket) {
        List<Double> weekly = new ArrayList<>();
        Set<Long> weeks = new HashSet<>();
        List<Double> daily = new ArrayList<>();
        Set<Long> days = new HashSet<>();
        long hourOfWeek = hourOfWeek(bucket);
        long hourOfDay = hourOfDay(bucket);
        for (Point p : history) {
            if (hourOfDay(p.bucket()) == hourOfDay) {
                daily.add(p.value());
                days.add(Math.floorDiv(p.bucket(), DAY));
                if (hourOfWeek(p.bucket()) == hourOfWeek) {
                    weekly.add(p.value());
                    weeks.add(Math.floorDiv(p.bucket(), WEEK));
                }
            }
        }
        if (weeks.size() >= 2 && weekly.size() >= MIN_SLOT_POINTS) {
            return of("day_of_week_hour", weekly);
        }
        if (days.size() >= 2 && daily.size() >= MIN_SLOT_POINTS) {
            return of("hour_of_day", daily);
        }
        return of("global", history.stream().map(Point::value).toList());
    }

    private static Baseline baselineOfKind(List<Point> history, long bucket, String kind) {
        ToLongFunction<Long> slot = slotOf(kind);
        long wanted = slot.applyAsLong(bucket);
        List<Double> values = history.stream().filter(p -> slot.applyAsLong(p.bucket()) == wanted)
                .map(Point::value).toList();
        return of(kind, values);
    }

    private static ToLongFunction<Long> slotOf(String kind) {
        return switch (kind) {
            case "day_of_week_hour" -> DeepScorer::hourOfWeek;
            case "hour_of_day" -> DeepScorer::hourOfDay;
            default -> b -> 0;
        };
    }

    private static long hourOfDay(long bucket) {
        return Math.floorMod(bucket, DAY) / HOUR;
    }

    /** 1970-01-01 was a Thursday; the slot only needs to repeat weekly. */
    private static long hourOfWeek(long bucket) {
        return Math.floorMod(bucket, WEEK) / HOUR;
    }

    private static Baseline of(String kind, List<Double> values) {
        if (values.isEmpty()) {
            return new Baseline(kind, Double.NaN, Double.NaN, 0);
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        double median = median(v);
        double[] dev = Arrays.stream(v).map(x -> Math.abs(x - median)).toArray();
        double spread = 1.4826 * median(dev);
        if (spread == 0) {
            spread = Arrays.stream(dev).average().orElse(0) * 1.2533;
        }
        if (spread == 0) {
            spread = Math.max(Math.abs(median) * 0.01, 1e-9);
        }
        return new Baseline(kind, median, spread, v.length);
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
