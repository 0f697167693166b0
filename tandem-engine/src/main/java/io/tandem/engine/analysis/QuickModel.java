package io.tandem.engine.analysis;

import com.amazon.randomcutforest.config.ForestMode;
import com.amazon.randomcutforest.config.TransformMethod;
import com.amazon.randomcutforest.parkservices.AnomalyDescriptor;
import com.amazon.randomcutforest.parkservices.ThresholdedRandomCutForest;
import com.amazon.randomcutforest.parkservices.state.ThresholdedRandomCutForestMapper;
import com.amazon.randomcutforest.parkservices.state.ThresholdedRandomCutForestState;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The streaming model of one group of an analysis: a small {@link ThresholdedRandomCutForest} over a shingle of the
 * last {@value #SHINGLE} bucket values, differenced (the change from one bucket to the next is what it learns: of the
 * shapes measured on the series of {@code AnomalyDetectionQualityTest}, it found spikes and level shifts best), which
 * scores each new value and learns it, and the last bucket it learned.
 * A bucket at or before that one is never learned again, so a replay after a restart does not train twice.
 *
 * <p>Its state is the forest's own state object ({@link ThresholdedRandomCutForestMapper}) as JSON, with the last
 * bucket and the number of points learned.
 */
final class QuickModel {

    /** The model's name in results. */
    static final String NAME = "trcf";
    static final int SHINGLE = 2;
    static final int TREES = 30;
    static final int SAMPLE = 64;
    /** Points a forest must have seen before it grades anything. */
    static final int WARM_UP = 10;

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final ThresholdedRandomCutForest forest;
    private long lastBucket;
    private long points;

    private QuickModel(ThresholdedRandomCutForest forest, long lastBucket, long points) {
        this.forest = forest;
        this.lastBucket = lastBucket;
        this.points = points;
    }

    /** A fresh model; {@code seed} makes its randomness repeatable. */
    static QuickModel create(long seed) {
        return new QuickModel(forest(seed), Long.MIN_VALUE, 0);
    }

    /** A fresh forest of the model's shape, for the quick pass and for the deep pass's forest on history. */
    static ThresholdedRandomCutForest forest(long seed) {
        return ThresholdedRandomCutForest.builder()
                .compact(true)
                .dimensions(SHINGLE)
                .shingleSize(SHINGLE)
                .internalShinglingEnabled(true)
                .numberOfTrees(TREES)
                .sampleSize(SAMPLE)
                .outputAfter(WARM_UP)
                .randomSeed(seed)
                .anomalyRate(0.01)
                .forestMode(ForestMode.STANDARD)
                .transformMethod(TransformMethod.DIFFERENCE)
                .build();
    }

    /** The score and grade of one value. */
    record Score(double score, double grade) {
    }

    /**
     * Scores the value of {@code bucket} and learns it; null when the model has already learned this bucket or a
     * later one.
     */
    Score learn(long bucket, long sequence, double value) {
        if (bucket <= lastBucket) {
            return null;
        }
        AnomalyDescriptor d = forest.process(new double[]{value}, sequence);
        lastBucket = bucket;
        points++;
        return new Score(d.getRCFScore(), d.getAnomalyGrade());
    }

    long lastBucket() {
        return lastBucket;
    }

    /** How many bucket values the model has learned. */
    long points() {
        return points;
    }

    /** The state to persist. */
    State state() {
        return new State(lastBucket, points, new ThresholdedRandomCutForestMapper().toState(forest));
    }

    static QuickModel fromState(State s) {
        return new QuickModel(new ThresholdedRandomCutForestMapper().toModel(s.forest()), s.lastBucket(), s.points());
    }

    /** A model's persisted state. */
    record State(long lastBucket, long points, ThresholdedRandomCutForestState forest) {
    }

    static byte[] toBytes(State s) {
        try {
            return JSON.writeValueAsBytes(s);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise a model state", e);
        }
    }

    static State fromBytes(byte[] bytes) {
        try {
            return JSON.readValue(bytes, State.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read a model state", e);
        }
    }
}
