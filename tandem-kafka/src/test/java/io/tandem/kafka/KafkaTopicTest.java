package io.tandem.kafka;

import io.tandem.core.codec.BinaryRow;
import io.tandem.core.codec.RowCodec;
import io.tandem.spi.log.EventLog;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/** What the Kafka log does beyond the contract: the topic's settings, external producers, transactions. */
class KafkaTopicTest {

    private static KafkaBroker broker;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = new KafkaBroker();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    /** One record as the log passes it on, its row decoded. */
    record Seen(long offset, byte kind, String sym, Long qty, long eventTime) {
    }

    private static List<Seen> readAll(EventLog log, int partition) {
        BinaryRow row = new RowCodec(KafkaEventLogTest.STREAM).reader();
        List<Seen> seen = new ArrayList<>();
        long next = log.startOffset(partition);
        while (next < log.durableEnd(partition)) {
            next = log.read(partition, next, 100, (offset, kind, epoch, arrival, buf, off, len) -> {
                if (kind == EventLog.MARKER) {
                    seen.add(new Seen(offset, kind, null, null, 0));
                    return;
                }
                row.reset(buf, off, len, arrival, offset);
                seen.add(new Seen(offset, kind, row.isNull(0) ? null : row.getString(0),
                        row.isNull(1) ? null : row.getLong(1), row.eventTime()));
            });
        }
        return seen;
    }

    private static KafkaProducer<String, String> plainProducer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
    }

    @Test
    void when_anExternalProducerWritesJson_then_readersSeeItsEvents_andBadRecordsGoToTheDeadLetterTopic()
            throws Exception {
        EventLog log = KafkaEventLogTest.openLog(broker, dataDir, "external.", 1, () -> 0);
        try (log; KafkaProducer<String, String> producer = plainProducer()) {
            String topic = "external.trades";
            producer.send(new ProducerRecord<>(topic, "AAPL", "{\"ts\": 1000, \"sym\": \"AAPL\", \"qty\": 5}")).get();
            producer.send(new ProducerRecord<>(topic, "MSFT", "{\"ts\": \"not a time\", \"sym\": \"MSFT\"}")).get();
            producer.send(new ProducerRecord<>(topic, "X", "[{\"ts\": 1}, {\"ts\": 2}]")).get();
            producer.send(new ProducerRecord<>(topic, "MSFT", "{\"ts\": 2000, \"sym\": \"MSFT\", \"qty\": 7}")).get();

            await().atMost(Duration.ofSeconds(30)).until(() -> log.durableEnd(0) >= 4);
            List<Seen> seen = readAll(log, 0);
            List<Seen> again = readAll(log, 0);

            assertThat(seen).extracting(Seen::offset, Seen::kind, Seen::sym, Seen::qty, Seen::eventTime)
                    .containsExactly(tuple(0L, EventLog.EVENT, "AAPL", 5L, 1000L),
                            tuple(3L, EventLog.EVENT, "MSFT", 7L, 2000L));
            assertThat(again).isEqualTo(seen);
            List<ConsumerRecord<byte[], byte[]>> dead = consume(topic + ".dead-letter", 2);
            assertThat(dead).extracting(r -> new String(r.key(), UTF_8)).containsExactly("0:1", "0:2");
            assertThat(dead).extracting(r -> new String(r.value(), UTF_8)).containsExactly(
                    "{\"ts\": \"not a time\", \"sym\": \"MSFT\"}", "[{\"ts\": 1}, {\"ts\": 2}]");
            assertThat(new String(dead.get(0).headers().lastHeader(KafkaEventLog.REASON_HEADER).value(), UTF_8))
                    .contains("ts").contains("not a time");
            assertThat(new String(dead.get(1).headers().lastHeader(KafkaEventLog.REASON_HEADER).value(), UTF_8))
                    .contains("2 events");
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> consume(String topic, int count) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                return records.size() >= count;
            });
            return records;
        }
    }

    @Test
    void when_anotherProducersTransactionIsOpenOrAborted_then_readersSeeNeitherItNorWhatFollowsItUntilItEnds()
            throws Exception {
        EventLog log = KafkaEventLogTest.openLog(broker, dataDir, "txn.", 1, () -> 0);
        try (log; KafkaProducer<String, String> other = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "other-writer"), new StringSerializer(),
                new StringSerializer())) {
            String topic = "txn.trades";
            other.initTransactions();
            other.beginTransaction();
            other.send(new ProducerRecord<>(topic, 0, null, "{\"ts\": 1, \"sym\": \"OPEN\"}")).get();

            // Tandem's own unit lands after the open transaction's record; the open one holds the stable end back
            var mine = log.append(0, null, List.of(new RowCodec(KafkaEventLogTest.STREAM).builder().reset(5)
                    .setString(0, "MINE").encode()));
            assertThat(log.durableEnd(0)).isZero();
            assertThat(mine).isNotDone();

            other.abortTransaction();
            long first = mine.get(30, java.util.concurrent.TimeUnit.SECONDS);

            assertThat(first).isGreaterThan(0);
            assertThat(readAll(log, 0)).extracting(Seen::offset, Seen::sym).containsExactly(tuple(first, "MINE"));
        }
    }

    @Test
    void when_theTopicExistsWithCreateTime_then_openFailsNamingTheTopicAndTheSetting() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("created.trades", Optional.of(2), Optional.empty())))
                    .all().get();
        }

        assertThatThrownBy(() -> KafkaEventLogTest.openLog(broker, dataDir, "created.", 2, () -> 0))
                .hasMessageContaining("topic 'created.trades' has message.timestamp.type=CreateTime")
                .hasMessageContaining("LogAppendTime");
    }

    @Test
    void when_theTopicExistsWithOtherPartitions_then_theLogKeepsThem() throws Exception {
        EventLog first = KafkaEventLogTest.openLog(broker, dataDir, "kept.", 3, () -> 0);
        first.close();

        try (EventLog again = KafkaEventLogTest.openLog(broker, dataDir, "kept.", 5, () -> 0)) {
            assertThat(again.partitions()).isEqualTo(3);
        }
    }
}
