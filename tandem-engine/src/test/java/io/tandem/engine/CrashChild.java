package io.tandem.engine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The process {@link KillNineTest} kills: ingests batches of events as fast as it can and prints
 * {@code ack <batch>} once each ingest call has returned (the events are then durable), while batch runs go on
 * back to back (1-second epochs).
 */
public final class CrashChild {

    static final int EVENTS_PER_BATCH = 50;

    private CrashChild() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        long batch = Long.parseLong(args[1]);
        Tandem tandem = Tandem.start(TestConfigs.config(1_000),
                TandemOptions.defaults(dir).withPartitions(2).withCheckpointEveryMs(50));
        Thread batches = new Thread(() -> {
            // batch runs back to back, a full recompute now and then: the kill lands in the middle of some
            for (int run = 0; ; run++) {
                tandem.runBatch(run % 5 == 4).join();
            }
        }, "batch-runs");
        batches.setDaemon(true);
        batches.start();
        System.out.println("started");
        System.out.flush();
        while (true) {
            StringBuilder body = new StringBuilder();
            for (int i = 0; i < EVENTS_PER_BATCH; i++) {
                body.append("{\"symbol\":\"S").append(i % 7).append("\",\"price\":").append(10 + i)
                        .append(",\"qty\":").append(i + 1).append(",\"trader\":\"t\",\"batch\":").append(batch)
                        .append(",\"ts\":").append(System.currentTimeMillis()).append("}\n");
            }
            tandem.ingest("trades", body.toString().getBytes(StandardCharsets.UTF_8), null);
            System.out.println("ack " + batch);
            System.out.flush();
            batch++;
        }
    }
}
