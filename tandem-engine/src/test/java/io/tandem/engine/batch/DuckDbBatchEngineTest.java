package io.tandem.engine.batch;

import io.tandem.core.DuckDbDef;
import io.tandem.engine.duckdb.DuckDb;
import io.tandem.spi.batch.BatchEngine;
import io.tandem.spi.testkit.BatchEngineContract;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

/** The embedded DuckDB engine passes the batch engine contract. */
class DuckDbBatchEngineTest extends BatchEngineContract {

    @TempDir
    Path spill;

    @Override
    protected BatchEngine createEngine() throws IOException {
        return new DuckDbBatchEngine(new DuckDb(DuckDbDef.defaults(), spill));
    }
}
