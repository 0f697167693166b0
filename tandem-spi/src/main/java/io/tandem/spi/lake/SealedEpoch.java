package io.tandem.spi.lake;

/** An epoch of a stream that is completely in the lake. */
public record SealedEpoch(String stream, long epoch) {
}
