package io.tandem.cli.gen;

import java.util.List;

/** The benchmark workloads by name. */
public final class Workloads {

    /** The valid names, in the order they are listed to users. */
    public static final List<String> NAMES = List.of(OhlcvWorkload.NAME, NexmarkQ17Workload.NAME);

    private Workloads() {
    }

    /**
     * The workload called {@code name} with {@code n} events and {@code seed}.
     *
     * @throws IllegalArgumentException naming the valid workloads when there is none called {@code name}
     */
    public static Workload byName(String name, long n, long seed) {
        if (OhlcvWorkload.NAME.equals(name)) {
            return new OhlcvWorkload(n, seed);
        }
        if (NexmarkQ17Workload.NAME.equals(name)) {
            return new NexmarkQ17Workload(n, seed);
        }
        throw new IllegalArgumentException("unknown workload \"" + name + "\": expected one of "
                + String.join(", ", NAMES));
    }
}
