package io.tandem.kafka;

import io.tandem.core.StreamDef;
import io.tandem.spi.PartContext;
import io.tandem.spi.log.EventLog;
import io.tandem.spi.log.EventLogProvider;
import io.tandem.spi.log.PartitionGroup;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * {@code log: {kind: kafka, bootstrap_servers: "127.0.0.1:9092", topic_prefix: "tandem.", replication_factor: 3}}:
 * a {@link KafkaEventLog} per stream on topic {@code <topic_prefix><stream>}, created when missing with the
 * stream's partitions, {@code message.timestamp.type=LogAppendTime} and the replication factor (the broker's
 * default when not set). A topic that exists keeps its partitions, and must have {@code LogAppendTime}.
 *
 * <p>Each process appends through a transactional producer whose id, {@code tandem-<topic>-<uuid>}, is kept in
 * {@code <data-dir>/kafka/<stream>.producer-id}: a restarted process takes its id back, which aborts at once any
 * transaction it left open.
 */
public final class KafkaEventLogProvider implements EventLogProvider {

    public static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";
    public static final String DEFAULT_TOPIC_PREFIX = "tandem.";

    private static final Logger LOG = LoggerFactory.getLogger(KafkaEventLogProvider.class);
    private static final int TIMEOUT_MS = 15_000;
    private static final int TRANSACTION_TIMEOUT_MS = 10_000;

    @Override
    public String kind() {
        return "kafka";
    }

    @Override
    public EventLog open(StreamDef stream, int partitions, PartContext context) throws IOException {
        Map<String, String> settings = context.part().settings();
        String bootstrap = settings.getOrDefault("bootstrap_servers", DEFAULT_BOOTSTRAP);
        String topic = settings.getOrDefault("topic_prefix", DEFAULT_TOPIC_PREFIX) + stream.name();
        Optional<Short> replication = Optional.ofNullable(settings.get("replication_factor")).map(Short::valueOf);
        Map<String, Object> common = common(settings);
        Map<String, Object> adminConfig = new HashMap<>(common);
        adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
        adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
        Admin admin = Admin.create(adminConfig);
        try {
            int count = ensureTopic(admin, topic, partitions, replication, bootstrap);
            ensureDeadLetterTopic(admin, topic, replication);
            String transactionalId = producerId(context.dataDir(), stream.name(), topic);
            return new KafkaEventLog(stream, topic, count, context.config().epochMs(), admin,
                    () -> transactionalProducer(common, transactionalId), () -> consumer(common),
                    new KafkaProducer<>(producerConfig(common)));
        } catch (IOException | RuntimeException e) {
            admin.close();
            throw e;
        }
    }

    /** The consumer group {@code group} over the logs' topics; see {@link KafkaPartitionGroup}. */
    @Override
    public PartitionGroup join(Map<String, EventLog> logs, String group, PartContext context,
                               PartitionGroup.Listener listener) {
        Map<String, String> streamOfTopic = new HashMap<>();
        logs.forEach((stream, log) -> {
            if (!(log instanceof KafkaEventLog kafka)) {
                throw new IllegalArgumentException("the log of stream '" + stream + "' is not on Kafka");
            }
            streamOfTopic.put(kafka.topic(), stream);
        });
        return new KafkaPartitionGroup(common(context.part().settings()), group, streamOfTopic, listener);
    }

    private static Map<String, Object> common(Map<String, String> settings) {
        Map<String, Object> common = new HashMap<>();
        common.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                settings.getOrDefault("bootstrap_servers", DEFAULT_BOOTSTRAP));
        return common;
    }

    /** The topic's partition count; creates the topic when it is missing. */
    private static int ensureTopic(Admin admin, String topic, int partitions, Optional<Short> replication,
                                   String bootstrap) throws IOException {
        try {
            Optional<TopicDescription> existing = describe(admin, topic);
            if (existing.isEmpty()) {
                try {
                    NewTopic created = new NewTopic(topic, Optional.of(partitions), replication).configs(Map.of(
                            TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime"));
                    admin.createTopics(List.of(created)).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    LOG.info("created topic '{}' with {} partitions and LogAppendTime", topic, partitions);
                    return partitions;
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                    existing = describe(admin, topic);
                }
            }
            checkTimestampType(admin, topic);
            int count = existing.orElseThrow().partitions().size();
            if (count != partitions) {
                LOG.info("topic '{}' has {} partitions; keeping them (asked for {})", topic, count, partitions);
            }
            return count;
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IOException("log.bootstrap_servers: cannot set up topic '" + topic + "' on Kafka at "
                    + bootstrap + ": " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while setting up topic '" + topic + "'", e);
        }
    }

    private static Optional<TopicDescription> describe(Admin admin, String topic)
            throws ExecutionException, InterruptedException, TimeoutException {
        try {
            return Optional.of(admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(TIMEOUT_MS, TimeUnit.MILLISECONDS).get(topic));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static void checkTimestampType(Admin admin, String topic)
            throws ExecutionException, InterruptedException, TimeoutException {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = admin.describeConfigs(List.of(resource)).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .get(resource);
        String type = config.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG).value();
        if (!"LogAppendTime".equals(type)) {
            throw new IllegalStateException("topic '" + topic + "' has " + TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG
                    + "=" + type + "; Tandem needs LogAppendTime, so that every process puts a record in the same "
                    + "arrival epoch: kafka-configs.sh --alter --entity-type topics --entity-name " + topic
                    + " --add-config " + TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG + "=LogAppendTime");
        }
    }

    private static void ensureDeadLetterTopic(Admin admin, String topic, Optional<Short> replication)
            throws IOException {
        String name = KafkaEventLog.deadLetterTopic(topic);
        try {
            if (describe(admin, name).isEmpty()) {
                admin.createTopics(List.of(new NewTopic(name, Optional.of(1), replication).configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                        .all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IOException("cannot create the dead-letter topic '" + name + "': " + e.getCause(), e);
            }
        } catch (TimeoutException e) {
            throw new IOException("cannot create the dead-letter topic '" + name + "': " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while creating topic '" + name + "'", e);
        }
    }

    /** The process's transactional id for the topic, made once and kept in the data directory. */
    private static String producerId(Path dataDir, String stream, String topic) throws IOException {
        Path file = dataDir.resolve("kafka").resolve(stream + ".producer-id");
        if (Files.exists(file)) {
            return Files.readString(file, UTF_8).strip();
        }
        Files.createDirectories(file.getParent());
        String id = "tandem-" + topic + "-" + UUID.randomUUID();
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temp, id, UTF_8);
        Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return id;
    }

    private static Map<String, Object> producerConfig(Map<String, Object> common) {
        Map<String, Object> config = new HashMap<>(common);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 << 20);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, TIMEOUT_MS);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 2 * TIMEOUT_MS);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return config;
    }

    private static KafkaProducer<byte[], byte[]> transactionalProducer(Map<String, Object> common, String id) {
        Map<String, Object> config = producerConfig(common);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
        config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config);
        try {
            producer.initTransactions();
            return producer;
        } catch (RuntimeException e) {
            producer.close();
            throw e;
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> common) {
        Map<String, Object> config = new HashMap<>(common);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return new KafkaConsumer<>(config);
    }
}
