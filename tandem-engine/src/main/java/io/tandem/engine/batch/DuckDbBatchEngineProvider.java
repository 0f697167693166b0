package io.tandem.engine.batch;

import io.tandem.engine.duckdb.DuckDb;
import io.tandem.spi.PartContext;
import io.tandem.spi.batch.BatchEngine;
import io.tandem.spi.batch.BatchEngineProvider;

import java.io.IOException;

/** {@code batch: {engine: duckdb}}, the default: a {@link DuckDbBatchEngine} within the config's DuckDB limits. */
public final class DuckDbBatchEngineProvider implements BatchEngineProvider {

    @Override
    public String kind() {
        return "duckdb";
    }

    @Override
    public BatchEngine open(PartContext context) throws IOException {
        return new DuckDbBatchEngine(DuckDb.of(context.config(), context.dataDir()));
    }
}
