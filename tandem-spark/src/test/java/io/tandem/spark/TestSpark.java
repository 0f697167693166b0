package io.tandem.spark;

import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The tests' one local Spark session ({@code local[2]}), opened by the first test that needs it and stopped by
 * Spark's own shutdown hook: a session takes seconds to start, and the contract opens an engine per test.
 */
final class TestSpark {

    private static SparkSession session;

    private TestSpark() {
    }

    static synchronized SparkSession session() {
        if (session == null) {
            try {
                session = SparkBatchEngine.open(SparkBatchEngine.DEFAULT_MASTER);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return session;
    }

    /** An engine on the shared session; closing it leaves the session running. */
    static SparkBatchEngine engine() {
        return new SparkBatchEngine(session());
    }
}
