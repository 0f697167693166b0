package io.tandem.spark;

import io.tandem.spi.PartContext;
import io.tandem.spi.batch.BatchEngine;
import io.tandem.spi.batch.BatchEngineProvider;

import java.io.IOException;

/**
 * {@code batch: {engine: spark, master: "local[2]"}}: a {@link SparkBatchEngine} on a session of its own, with the
 * config's {@code master} ({@value SparkBatchEngine#DEFAULT_MASTER} when it names none).
 */
public final class SparkBatchEngineProvider implements BatchEngineProvider {

    @Override
    public String kind() {
        return "spark";
    }

    @Override
    public BatchEngine open(PartContext context) throws IOException {
        return new SparkBatchEngine(context.part().settings().getOrDefault("master", SparkBatchEngine.DEFAULT_MASTER));
    }
}
