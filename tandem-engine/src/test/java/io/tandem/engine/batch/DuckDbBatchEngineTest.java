package io.tandem.engine.batch;

import java.io.IOException;

/** The embedded DuckDB engine passes the batch engine contract. */
class DuckDbBatchEngineTest extends BatchEngineContract {

    @Override
    protected BatchEngine createEngine() throws IOException {
        return new DuckDbBatchEngine();
    }
}
