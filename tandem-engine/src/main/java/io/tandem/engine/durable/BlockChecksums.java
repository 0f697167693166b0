package io.tandem.engine.durable;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * What a file held when it was written, to find a flipped byte later: its size and a CRC-32C of every
 * {@value #BLOCK} bytes (the last block may be shorter), as HDFS keeps beside a block. The CRCs travel as one
 * Base64 string of big-endian ints, so a manifest stays small (a 100 MB file: 100 CRCs, 536 characters).
 *
 * @param bytes the file's size
 * @param crcs  the CRC-32C of each block, in order
 */
public record BlockChecksums(long bytes, int[] crcs) {

    /** Bytes per checksum: a mismatch names a range of at most this much. */
    public static final int BLOCK = 1 << 20;

    /** Reads {@code file} whole and computes its checksums. */
    public static BlockChecksums of(Path file) throws IOException {
        long size = Files.size(file);
        int[] crcs = new int[(int) ((size + BLOCK - 1) / BLOCK)];
        byte[] buf = new byte[BLOCK];
        try (InputStream in = Files.newInputStream(file)) {
            for (int i = 0; i < crcs.length; i++) {
                crcs[i] = crc(buf, in.readNBytes(buf, 0, BLOCK));
            }
        }
        return new BlockChecksums(size, crcs);
    }

    private static int crc(byte[] buf, int len) {
        CRC32C crc = new CRC32C();
        crc.update(buf, 0, len);
        return (int) crc.getValue();
    }

    /** The CRCs as Base64, for {@link #decode}. */
    public String encoded() {
        ByteBuffer out = ByteBuffer.allocate(crcs.length * Integer.BYTES);
        for (int c : crcs) {
            out.putInt(c);
        }
        return Base64.getEncoder().encodeToString(out.array());
    }

    /**
     * The checksums of a file of {@code bytes} bytes from {@link #encoded}.
     *
     * @throws IllegalArgumentException when the string is not Base64 or holds the wrong number of CRCs
     */
    public static BlockChecksums decode(long bytes, String encoded) {
        byte[] raw = Base64.getDecoder().decode(encoded);
        long blocks = (bytes + BLOCK - 1) / BLOCK;
        if (bytes < 0 || raw.length != blocks * Integer.BYTES) {
            throw new IllegalArgumentException("checksums: expected " + blocks + " CRCs for " + bytes + " bytes, got "
                    + raw.length + " bytes of them");
        }
        ByteBuffer in = ByteBuffer.wrap(raw);
        int[] crcs = new int[(int) blocks];
        for (int i = 0; i < crcs.length; i++) {
            crcs[i] = in.getInt();
        }
        return new BlockChecksums(bytes, crcs);
    }

    /**
     * Reads {@code file} again and compares it with these checksums.
     *
     * @return null when it reads back as written, else what differs: its absence, its size, and the byte ranges
     *         whose CRC does not match ("bytes 0 to 1048575, 3145728 to 3200000 do not match ..."; ends inclusive)
     */
    public String damage(Path file) throws IOException {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            return "the file is missing (" + bytes + " bytes were written)";
        }
        List<String> ranges = new ArrayList<>();
        byte[] buf = new byte[BLOCK];
        long from = -1;
        long to = -1;
        try (InputStream in = Files.newInputStream(file)) {
            for (int i = 0; i < crcs.length; i++) {
                int len = in.readNBytes(buf, 0, BLOCK);
                long start = (long) i * BLOCK;
                if (len == 0) {
                    break;
                }
                if (crc(buf, len) != crcs[i]) {
                    if (from < 0) {
                        from = start;
                    }
                    to = start + len - 1;
                } else if (from >= 0) {
                    ranges.add(from + " to " + to);
                    from = -1;
                }
            }
        }
        if (from >= 0) {
            ranges.add(from + " to " + to);
        }
        List<String> parts = new ArrayList<>();
        if (size != bytes) {
            parts.add("it has " + size + " bytes, " + bytes + " were written");
        }
        if (!ranges.isEmpty()) {
            parts.add("bytes " + String.join(", ", ranges) + " do not match the CRC-32C written with them");
        }
        return parts.isEmpty() ? null : String.join("; ", parts);
    }
}
