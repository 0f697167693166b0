package io.tandem.engine.hot;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The thread a {@link HotPathListener} does its slow work on. The partition threads {@link #offer} tasks through
 * a bounded queue and never wait (a full queue refuses the task; the caller counts it). The thread takes what
 * waits, up to {@value #DRAIN_MAX} tasks at a time, and gives each batch to the processor, in order; a failing
 * batch is logged and the thread goes on with the next.
 */
public final class Handover implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Handover.class);
    private static final Object STOP = new Object();
    private static final int DRAIN_MAX = 4_096;

    private final BlockingQueue<Object> queue;
    private final Consumer<List<Object>> processor;
    private final String name;
    private final Thread thread;

    /** A daemon thread called {@code name}, not started; {@code processor} runs on it only. */
    public Handover(String name, int capacity, Consumer<List<Object>> processor) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.processor = processor;
        this.name = name;
        this.thread = new Thread(this::loop, name);
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** False, at once, when the queue is full. Tasks offered before {@link #start()} wait for it. */
    public boolean offer(Object task) {
        return queue.offer(task);
    }

    private void loop() {
        List<Object> tasks = new ArrayList<>();
        boolean stop = false;
        while (!stop) {
            try {
                tasks.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(tasks, DRAIN_MAX);
            stop = tasks.remove(STOP);
            try {
                processor.accept(tasks);
            } catch (RuntimeException e) {
                LOG.error("{}: processing failed; going on with the next tasks", name, e);
            }
            tasks.clear();
        }
    }

    /** Processes what was offered before, then ends the thread; gives up waiting for room after 10 s. */
    @Override
    public void close() {
        try {
            if (queue.offer(STOP, 10, TimeUnit.SECONDS)) {
                thread.join(30_000);
            } else {
                thread.interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
