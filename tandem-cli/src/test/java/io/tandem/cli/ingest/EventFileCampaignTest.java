package io.tandem.cli.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile CSV and NDJSON files through {@link EventFile}, the CLI's reader of {@code tandem ingest}: unterminated
 * quotes, quotes inside values, duplicate, blank and missing header names, rows of other lengths, 10,000 columns,
 * values of a megabyte, huge numbers, invalid UTF-8, byte-order marks, NUL bytes and bare carriage returns. Each file
 * gives request bodies whose every CSV row is a JSON object, or an {@link IOException} with a message; nothing
 * else escapes.
 *
 * <p>Files: {@code -Dtandem.campaign.tries} (default {@value #DEFAULT_TRIES}); the seed:
 * {@code -Dtandem.campaign.seed}.
 */
@Tag("slow")
class EventFileCampaignTest {

    static final int DEFAULT_TRIES = 3_000;
    static final int TRIES = Integer.getInteger("tandem.campaign.tries", DEFAULT_TRIES);
    static final long SEED = Long.getLong("tandem.campaign.seed", 20261203L);
    /** Reads numbers of any length: the check is that each line is a JSON object, not what the server takes. */
    static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder().streamReadConstraints(
            StreamReadConstraints.builder().maxNumberLength(Integer.MAX_VALUE).build()).build());

    final Random random = new Random(SEED);

    @Test
    void hostileFiles_giveJsonLinesOrAnIOExceptionWithAMessage() {
        long started = System.nanoTime();
        List<String> findings = new ArrayList<>();
        long rows = 0;
        long rowErrors = 0;
        long refused = 0;
        for (int i = 0; i < TRIES; i++) {
            boolean csv = random.nextInt(4) != 0;
            byte[] file = csv ? csv() : ndjson();
            EventInput input = EventInput.stream(new ByteArrayInputStream(file), csv ? EventInput.Format.CSV
                    : EventInput.Format.NDJSON);
            try (EventFile events = EventFile.open(input, 1 + random.nextInt(50))) {
                int number = 0;
                for (EventFile.Batch b = events.next(number); b != null; b = events.next(++number)) {
                    rowErrors += b.localErrors().size();
                    for (String line : new String(b.body(), StandardCharsets.UTF_8).split("\n", -1)) {
                        if (line.isEmpty()) {
                            continue;
                        }
                        rows++;
                        if (csv && !isObject(line)) {
                            findings.add("not a JSON object: " + abbreviate(line));
                        }
                    }
                }
            } catch (IOException e) {
                refused++;
                if (e.getMessage() == null || e.getMessage().isBlank()) {
                    findings.add("an IOException without a message for " + abbreviate(file));
                }
            } catch (RuntimeException e) {
                findings.add(e + " for " + abbreviate(file));
            }
        }

        assertThat(findings).isEmpty();
        System.out.printf("csv-ndjson-input: %d files, %d rows, %d per-row errors, %d files refused with a "
                        + "message, 0 other exceptions (seed %d, %d s)%n", TRIES, rows, rowErrors, refused, SEED,
                Duration.ofNanos(System.nanoTime() - started).toSeconds());
    }

    private static boolean isObject(String line) {
        try {
            return JSON.readTree(line).isObject();
        } catch (IOException e) {
            return false;
        }
    }

    private byte[] csv() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (random.nextInt(8) == 0) {
            out.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        }
        int columns = random.nextInt(20) == 0 ? 10_000 : 1 + random.nextInt(5);
        List<String> header = new ArrayList<>();
        for (int c = 0; c < columns; c++) {
            header.add(random.nextInt(30) == 0 ? pick("", "ts", "\"a\"\"b\"", "\"x\ny\"", "a b", "\uFEFFts")
                    : "f" + c);
        }
        out.writeBytes((String.join(",", header) + pick("\n", "\r\n", "\r")).getBytes(StandardCharsets.UTF_8));
        // a quarter of the files also break RFC 4180's quoting, which ends a file at its first such value
        boolean broken = random.nextInt(4) == 0;
        int lines = random.nextInt(30);
        for (int l = 0; l < lines; l++) {
            int values = random.nextInt(10) == 0 ? random.nextInt(columns + 3) : columns;
            for (int v = 0; v < values; v++) {
                if (v > 0) {
                    out.write(',');
                }
                out.writeBytes(value(columns < 10, broken));
            }
            out.writeBytes(pick("\n", "\r\n", "\r", "\n\n").getBytes(StandardCharsets.US_ASCII));
        }
        return random.nextInt(10) == 0 ? mutate(out.toByteArray()) : out.toByteArray();
    }

    /**
     * @param big    whether the value may be a megabyte long
     * @param broken whether its quotes may break RFC 4180
     */
    private byte[] value(boolean big, boolean broken) {
        int kind = random.nextInt(12);
        return switch (broken || kind > 3 ? kind : 1) {
            case 0 -> "\"unterminated".getBytes(StandardCharsets.US_ASCII);
            case 1 -> "\"a\"\"b\"".getBytes(StandardCharsets.US_ASCII);
            case 2 -> "a\"b".getBytes(StandardCharsets.US_ASCII);
            case 3 -> "\"x\"y".getBytes(StandardCharsets.US_ASCII);
            case 4 -> ("1" + "0".repeat(pick(30, 10_000))).getBytes(StandardCharsets.US_ASCII);
            case 5 -> pick("-0", "1e400", "0.5", "-1.5e-300", "01", "1.", ".5", "NaN", "true", "FALSE", "null")
                    .getBytes(StandardCharsets.US_ASCII);
            case 6 -> pick(new byte[] {(byte) 0xC0, (byte) 0x80}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                    new byte[] {(byte) 0xFF}, new byte[] {0}, new byte[] {'\r'}, new byte[] {(byte) 0xE2, (byte) 0x82});
            case 7 -> ("\"" + "x".repeat(big && random.nextInt(20) == 0 ? 1 << 20 : 100) + "\"")
                    .getBytes(StandardCharsets.US_ASCII);
            case 8 -> "\"line\nbreak\r\nand\rmore\"".getBytes(StandardCharsets.US_ASCII);
            case 9 -> "".getBytes(StandardCharsets.US_ASCII);
            default -> ("v" + random.nextInt(1000)).getBytes(StandardCharsets.US_ASCII);
        };
    }

    private byte[] ndjson() {
        String line = pick("{\"ts\":0}", "[{\"ts\":0}]", "  [", "", "   ", "{", "\uFEFF{\"ts\":0}",
                "[".repeat(10_000), "{\"a\":\"" + "x".repeat(1 << 16) + "\"}");
        int n = 1 + random.nextInt(10);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? line : pick("{\"ts\":1}", "", "x", "[")).append(pick("\n", "\r\n"));
        }
        return mutate(b.toString().getBytes(StandardCharsets.UTF_8));
    }

    private byte[] mutate(byte[] bytes) {
        byte[] copy = bytes.clone();
        for (int i = 0; i < 3 && copy.length > 0; i++) {
            copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
        }
        return copy;
    }

    private static String abbreviate(String s) {
        String one = s.replace("\r", "\\r").replace("\n", "\\n");
        return one.length() <= 200 ? one : one.substring(0, 200) + "... (" + s.length() + " chars)";
    }

    private static String abbreviate(byte[] file) {
        return abbreviate(new String(file, StandardCharsets.ISO_8859_1));
    }

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[random.nextInt(options.length)];
    }

    private int pick(int a, int b) {
        return random.nextBoolean() ? a : b;
    }
}
