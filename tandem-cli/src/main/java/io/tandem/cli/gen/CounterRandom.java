package io.tandem.cli.gen;

/**
 * Counter-based randomness: every random value is a pure function of (seed, event index, slot), so the same seed
 * gives the same events in any order of generation and at any parallelism.
 *
 * <pre>
 * draw(g, slot) = splitMix64(seed ^ mix(g, slot))
 * mix(g, slot)  = g * 0x9E3779B97F4A7C15 + slot * 0xC2B2AE3D27D4EB4F      (mod 2^64)
 * splitMix64(x) = z = x + 0x9E3779B97F4A7C15
 *                 z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9
 *                 z = (z ^ (z >>> 27)) * 0x94D049BB133111EB
 *                 z ^ (z >>> 31)
 * bounded(r, n) = ((r >>> 32) * n) >>> 32                                   uniform in [0, n) for n &lt; 2^32
 * unit(r)       = (r >>> 11) * 2^-53                                         uniform in [0, 1)
 * </pre>
 *
 * Instances are immutable and thread-safe.
 */
public final class CounterRandom {

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final long SLOT_MULTIPLIER = 0xC2B2AE3D27D4EB4FL;
    private static final double UNIT = 0x1.0p-53;

    private final long seed;

    public CounterRandom(long seed) {
        this.seed = seed;
    }

    public long seed() {
        return seed;
    }

    /** The random 64 bits of event {@code g} in {@code slot}. */
    public long draw(long g, int slot) {
        return splitMix64(seed ^ (g * GOLDEN + slot * SLOT_MULTIPLIER));
    }

    /** The SplitMix64 output function applied to {@code x}. */
    public static long splitMix64(long x) {
        long z = x + GOLDEN;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A value uniform in {@code [0, n)} from the high 32 bits of {@code r}; {@code n} must be below 2^32. */
    public static long bounded(long r, long n) {
        return ((r >>> 32) * n) >>> 32;
    }

    /** A double uniform in {@code [0, 1)} from the high 53 bits of {@code r}. */
    public static double unit(long r) {
        return (r >>> 11) * UNIT;
    }
}
