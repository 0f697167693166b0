package io.tandem.spark;

import io.tandem.spi.batch.BatchEngine;
import io.tandem.spi.testkit.BatchEngineContract;

/** The Spark engine, in local mode on two cores, passes the batch engine contract. */
class SparkBatchEngineTest extends BatchEngineContract {

    @Override
    protected BatchEngine createEngine() {
        return TestSpark.engine();
    }
}
