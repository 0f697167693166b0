package io.tandem.kafka;

import io.tandem.core.ComponentDef;
import io.tandem.core.FieldDef;
import io.tandem.core.FieldType;
import io.tandem.core.StreamDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.UnknownFields;
import io.tandem.spi.PartContext;
import io.tandem.spi.log.EventLog;
import io.tandem.spi.testkit.EventLogContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/** {@link KafkaEventLog} against a real broker: the log contract, each test on topics of its own. */
class KafkaEventLogTest extends EventLogContract {

    static final StreamDef STREAM = new StreamDef("trades", "ts", 0, List.of(
            new FieldDef("sym", FieldType.STRING), new FieldDef("qty", FieldType.LONG)), UnknownFields.IGNORE);
    private static final AtomicInteger TOPICS = new AtomicInteger();

    static KafkaBroker broker;

    @TempDir
    Path dataDir;
    private String prefix;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = new KafkaBroker();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    @BeforeEach
    void newTopic() {
        prefix = "contract" + TOPICS.incrementAndGet() + ".";
    }

    @Override
    protected boolean stampsWithGivenClock() {
        return false;
    }

    @Override
    protected boolean denseOffsets() {
        return false;
    }

    @Override
    protected EventLog open(int partitions, LongSupplier clockMs) throws Exception {
        return reopen(partitions, clockMs);
    }

    @Override
    protected EventLog reopen(int partitions, LongSupplier clockMs) throws Exception {
        return track(openLog(broker, dataDir, prefix, partitions, clockMs));
    }

    static EventLog openLog(KafkaBroker broker, Path dataDir, String prefix, int partitions, LongSupplier clock)
            throws Exception {
        TandemConfig config = new TandemConfig(EPOCH_MS, Map.of(STREAM.name(), STREAM), Map.of());
        ComponentDef part = new ComponentDef("kafka", Map.of("bootstrap_servers", broker.bootstrapServers(),
                "topic_prefix", prefix));
        return new KafkaEventLogProvider().open(STREAM, partitions, new PartContext(config, part, dataDir, clock));
    }
}
