package io.tandem.cli.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.tandem.cli.client.ServerClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IngestClientTest {

    @TempDir
    Path dir;

    private FakeIngestServer server;
    private final ByteArrayOutputStream progress = new ByteArrayOutputStream();

    @BeforeEach
    void startServer() throws IOException {
        server = FakeIngestServer.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private IngestClient client(int batchLines, int concurrency) {
        return new IngestClient(new ServerClient(server.uri(), null), IngestOptions.defaults()
                .withBatchLines(batchLines).withConcurrency(concurrency), progressWriter());
    }

    private PrintWriter progressWriter() {
        return new PrintWriter(new OutputStreamWriter(progress, StandardCharsets.UTF_8), true);
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    @Test
    void when_ndjsonFileIsSent_then_everyEventArrivesInBatchesWithTheirOwnKeys() throws IOException {
        String lines = IntStream.range(0, 12)
                .mapToObj(i -> "{\"symbol\":\"S" + i + "\",\"qty\":" + i + "}")
                .collect(Collectors.joining("\n", "", "\n\n"));
        Path file = write("trades.ndjson", lines);

        IngestResult result = client(5, 2).send(EventInput.file(file, null), "trades");

        assertThat(result.ok()).as(result.summary()).isTrue();
        assertThat(result.lines()).isEqualTo(12);
        assertThat(result.accepted()).isEqualTo(12);
        assertThat(server.events()).extracting(e -> e.get("qty").asInt())
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 12).boxed().toList());
        List<FakeIngestServer.Request> requests = server.requests();
        assertThat(requests).hasSize(3).allSatisfy(r -> {
            assertThat(r.stream()).isEqualTo("trades");
            assertThat(r.contentType()).isEqualTo("application/x-ndjson");
            assertThat(r.status()).isEqualTo(200);
        });
        assertThat(requests.stream().map(FakeIngestServer.Request::idempotencyKey).distinct()).hasSize(3);
        assertThat(result.summary()).contains("12 accepted, 0 rejected");
    }

    @Test
    void when_csvHasQuotesCommasAndEmptyValues_then_rowsBecomeTypedJsonObjects() throws IOException {
        Path file = write("trades.csv", "\uFEFFsymbol,price,qty,note,active,code\r\n"
                + "ACME,12.5,100,\"hello, world\",true,007\r\n"
                + "\"BIG \"\"Q\"\"\",1e3,-5,,FALSE,\r\n"
                + "\r\n"
                + "ZED,0.25,,\"two\nlines\",maybe,x\r\n");

        IngestResult result = client(2, 1).send(EventInput.file(file, null), "trades");

        assertThat(result.ok()).as(result.summary()).isTrue();
        List<JsonNode> events = server.events().stream()
                .sorted(Comparator.comparing(e -> e.get("symbol").asText())).toList();
        assertThat(events).hasSize(3);
        assertThat(events.get(0).toString()).isEqualTo(
                "{\"symbol\":\"ACME\",\"price\":12.5,\"qty\":100,\"note\":\"hello, world\",\"active\":true,"
                        + "\"code\":\"007\"}");
        assertThat(events.get(1).toString()).isEqualTo(
                "{\"symbol\":\"BIG \\\"Q\\\"\",\"price\":1000.0,\"qty\":-5,\"active\":false}");
        assertThat(events.get(2).toString()).isEqualTo(
                "{\"symbol\":\"ZED\",\"price\":0.25,\"note\":\"two\\nlines\",\"active\":\"maybe\",\"code\":\"x\"}");
    }

    @Test
    void when_serverRejectsLines_then_errorsNameTheFileLines() throws IOException {
        // 14 file lines, two blank, three bad (file lines 3, 9 and 13), sent in batches of 4 events.
        Path file = write("mixed.ndjson", String.join("\n",
                "{\"symbol\":\"A\"}",
                "{\"symbol\":\"B\"}",
                "{\"symbol\":\"C\",\"qty\":\"ten\"}",
                "",
                "{\"symbol\":\"D\"}",
                "{\"symbol\":\"E\"}",
                "{\"symbol\":\"F\"}",
                "   ",
                "{\"qty\":1}",
                "{\"symbol\":\"G\"}",
                "{\"symbol\":\"H\"}",
                "{\"symbol\":\"I\"}",
                "not json",
                "{\"symbol\":\"J\"}"));

        IngestResult result = client(4, 3).send(EventInput.file(file, null), "trades");

        assertThat(result.ok()).isFalse();
        assertThat(result.failures()).isEmpty();
        assertThat(result.accepted()).isEqualTo(9);
        assertThat(result.rejected()).isEqualTo(3);
        assertThat(result.errors()).containsExactly(
                new IngestResult.LineError(3, "qty: expected long, got \"ten\""),
                new IngestResult.LineError(9, "symbol: expected string, got "),
                new IngestResult.LineError(13, "not JSON: not json"));
        assertThat(result.summary()).contains("line 9: symbol: expected string");
    }

    @Test
    void when_csvRowHasTheWrongNumberOfValues_then_itIsRejectedWithItsLineAndNotSent() throws IOException {
        Path file = write("short.csv", "symbol,qty\nA,1\nB,\"multi\nline\"\nC\nD,4,extra\nE,5\n");

        IngestResult result = client(10, 1).send(EventInput.file(file, null), "trades");

        assertThat(result.lines()).isEqualTo(5);
        assertThat(result.accepted()).isEqualTo(2);
        assertThat(result.rejected()).isEqualTo(3);
        assertThat(result.errors()).extracting(IngestResult.LineError::line).containsExactly(3L, 5L, 6L);
        assertThat(result.errors().get(1).error()).isEqualTo("expected 2 values as in the header, got 1");
    }

    @Test
    void when_serverIsOverloaded_then_batchIsRetriedWithTheSameKeyAndCountedOnce() throws IOException {
        Path file = write("few.jsonl", "{\"symbol\":\"A\"}\n{\"symbol\":\"B\"}\n");
        server.overloadNext(1, 1);

        IngestResult result = client(5000, 4).send(EventInput.file(file, null), "trades");

        assertThat(result.ok()).as(result.summary()).isTrue();
        List<FakeIngestServer.Request> requests = server.requests();
        assertThat(requests).extracting(FakeIngestServer.Request::status).containsExactly(503, 200);
        assertThat(requests.get(1).idempotencyKey()).isEqualTo(requests.get(0).idempotencyKey());
        assertThat(server.events()).hasSize(2);

        // Sending the same file again repeats the keys: the server answers from its record and counts nothing.
        IngestResult again = client(5000, 4).send(EventInput.file(file, null), "trades");
        assertThat(again.accepted()).isEqualTo(2);
        assertThat(server.requests().get(2).idempotencyKey()).isEqualTo(requests.get(0).idempotencyKey());
        assertThat(server.events()).hasSize(2);
    }

    @Test
    void when_serverRefusesLargeBodies_then_resultSaysToSendSmallerBatches() throws IOException {
        Path file = write("big.ndjson", "{\"symbol\":\"A\"}\n".repeat(100));
        server.maxBodyBytes = 500;

        IngestResult result = client(50, 1).send(EventInput.file(file, null), "trades");

        assertThat(result.ok()).isFalse();
        assertThat(result.failures()).singleElement().asString()
                .startsWith("lines 1-50: HTTP 413").contains("send smaller batches (now 50 lines)");
        assertThat(result.notSent()).isEqualTo(100);
    }

    @Test
    void progress_countsTheLinesTheServerAnswered_notTheLinesRead() throws IOException {
        // 40 short lines, then 60 too long for the server: the third batch of 20 fails and the send stops there
        Path file = write("partly.ndjson", "{\"symbol\":\"A\"}\n".repeat(40)
                + ("{\"symbol\":\"B\",\"pad\":\"" + "x".repeat(40) + "\"}\n").repeat(60));
        server.maxBodyBytes = 500;

        IngestResult result = client(20, 1).send(EventInput.file(file, null), "trades");

        assertThat(result.accepted()).isEqualTo(40);
        assertThat(result.failures()).singleElement().asString().startsWith("lines 41-60: HTTP 413");
        List<String> lines = progress.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines.get(lines.size() - 1)).startsWith("ingest " + file + ": 40% answered, 40 accepted, "
                + "0 rejected, ");
    }

    @Test
    void when_noServerListens_then_resultSaysTheConnectionWasRefused() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path file = write("one.ndjson", "{\"symbol\":\"A\"}\n");
        IngestClient client = new IngestClient(new ServerClient(URI.create("http://127.0.0.1:" + port + "/"), null),
                IngestOptions.defaults(), progressWriter());

        IngestResult result = client.send(EventInput.file(file, null), "trades");

        assertThat(result.ok()).isFalse();
        assertThat(result.failures()).containsExactly("cannot reach http://127.0.0.1:" + port
                + " (is `tandem serve` running there?)");
        assertThat(result.summary()).contains("1 events not sent");
    }

    @Test
    void when_fileFormatIsUnknownOrAJsonArray_then_theErrorSaysWhy() throws IOException {
        Path avro = write("events.avro", "Obj1");
        assertThatThrownBy(() -> client(10, 1).send(EventInput.file(avro, null), "trades"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected a name ending in .ndjson, .jsonl, .json, .csv (each optionally .gz) "
                        + "or .parquet");
        Path parquet = write("events.parquet", "PAR1");
        assertThatThrownBy(() -> client(10, 1).send(EventInput.file(parquet, null), "trades"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Parquet is read by tandem replay, which maps its columns to the stream's "
                        + "fields from --config");
        Path array = write("events.json", "[{\"symbol\":\"A\"},\n{\"symbol\":\"B\"}]\n");
        assertThat(client(10, 1).send(EventInput.file(array, null), "trades").failures()).singleElement().asString()
                .contains("starts a JSON array: expected one JSON object per line (NDJSON)");
        assertThat(server.requests()).isEmpty();
    }
}
