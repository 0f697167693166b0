package io.tandem.engine;

/**
 * What one process of a deployment runs ({@code serve --role}). One process runs it all by default; a split
 * deployment on Kafka and Redis runs each path in processes of its own, so that each scales on its own.
 */
public enum Role {
    /** Everything in one process: ingest, hot path, cold path, queries (the default). */
    ALL,
    /**
     * The HTTP API: ingest (into the log), merged queries (the real-time store and the batch views), SQL, alerts,
     * live rows and analyses. Its hot path follows the workers' writes; its cold path follows the batch node's
     * publishes in the shared folder, and batch runs asked of it go to the batch node.
     */
    SERVING,
    /** The hot path for the partitions a worker group gives it ({@link HotWorker}). */
    WORKER,
    /** The cold path: writes the lake and publishes the batch views into the shared folder, runs the reports. */
    BATCH
}
