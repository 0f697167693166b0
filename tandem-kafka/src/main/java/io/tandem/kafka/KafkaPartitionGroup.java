package io.tandem.kafka;

import io.tandem.spi.log.PartitionGroup;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Kafka consumer group over the streams' topics, used for membership only: the consumer pauses every partition
 * it is given and fetches nothing (the hot path reads through the log), while its polls keep the process in the
 * group. Rebalances are cooperative ({@link CooperativeStickyAssignor}): a partition moves only when it has to,
 * and the others keep working meanwhile. A process killed without leaving is dropped after the session timeout
 * (6 s), and its partitions go to the others.
 */
final class KafkaPartitionGroup implements PartitionGroup {

    static final int SESSION_TIMEOUT_MS = 6_000;

    private static final Logger LOG = LoggerFactory.getLogger(KafkaPartitionGroup.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, String> streamOfTopic;
    private final Listener listener;
    private final Thread thread;
    private volatile boolean closing;

    KafkaPartitionGroup(Map<String, Object> common, String group, Map<String, String> streamOfTopic,
                        Listener listener) {
        this.streamOfTopic = Map.copyOf(streamOfTopic);
        this.listener = listener;
        Map<String, Object> config = new HashMap<>(common);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
        config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, SESSION_TIMEOUT_MS / 6);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        this.consumer = new KafkaConsumer<>(config);
        consumer.subscribe(List.copyOf(streamOfTopic.keySet()), new Rebalance());
        this.thread = new Thread(this::loop, "kafka-group-" + group);
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try {
            while (!closing) {
                consumer.poll(Duration.ofMillis(200));
                consumer.pause(consumer.assignment());
            }
        } catch (WakeupException e) {
            // close() woke the poll
        } catch (KafkaException e) {
            LOG.error("the worker group's consumer failed; this process gives up its partitions", e);
        } finally {
            try {
                consumer.close();
            } catch (KafkaException e) {
                LOG.warn("leaving the worker group: {}", e.toString());
            }
        }
    }

    /** Groups partitions by the stream of their topic, in order. */
    private Map<String, List<Integer>> byStream(Collection<TopicPartition> partitions) {
        Map<String, List<Integer>> out = new TreeMap<>();
        for (TopicPartition tp : partitions) {
            String stream = streamOfTopic.get(tp.topic());
            if (stream != null) {
                out.computeIfAbsent(stream, s -> new ArrayList<>()).add(tp.partition());
            }
        }
        out.values().forEach(l -> l.sort(null));
        return out;
    }

    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        consumer.wakeup();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            consumer.pause(partitions);
            if (!partitions.isEmpty()) {
                LOG.info("this worker now owns {}", partitions);
            }
            byStream(partitions).forEach(listener::assigned);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                LOG.info("this worker gives up {}", partitions);
            }
            byStream(partitions).forEach(listener::revoked);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            LOG.warn("this worker was dropped from the group and lost {}", partitions);
            byStream(partitions).forEach(listener::revoked);
        }
    }
}
