package io.tandem.engine.durable;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Opening cuts a torn last line off; reading by offset gives every line where it starts, across chunks. */
class JsonLinesTest {

    @TempDir
    Path dir;

    /** Lines of growing length, one longer than a read chunk (64 KiB) among them. */
    static List<String> lines() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            lines.add("{\"i\":" + i + ",\"s\":\"" + "é".repeat(i == 150 ? 70_000 : i * 3) + "\"}");
        }
        return lines;
    }

    @Test
    void when_theLastLineIsTorn_then_openCutsItOff_andTheLinesReadBackWithTheirOffsets() throws IOException {
        Path file = dir.resolve("a/lines.jsonl");
        List<String> lines = lines();
        try (JsonLines log = JsonLines.open(file)) {
            assertThat(log.append(lines.subList(0, 100))).isZero();
            long second = log.append(lines.subList(100, lines.size()));
            assertThat(second).isEqualTo(String.join("\n", lines.subList(0, 100)).getBytes(StandardCharsets.UTF_8)
                    .length + 1);
        }
        long complete = Files.size(file);
        // a crash tore the next append
        Files.writeString(file, "{\"torn\":", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        List<String> existing = new ArrayList<>();
        try (JsonLines log = JsonLines.open(file, existing)) {
            assertThat(log.size()).isEqualTo(complete);
            assertThat(existing).isEqualTo(lines);
        }
        assertThat(Files.size(file)).isEqualTo(complete);

        // each line at the offset where it starts, and a range from the middle reads only its lines
        List<Long> offsets = new ArrayList<>();
        List<String> read = new ArrayList<>();
        JsonLines.forEach(file, 0, complete, (offset, line) -> offsets.add(offset) && read.add(line));
        assertThat(read).isEqualTo(lines);
        long at = 0;
        for (int i = 0; i < lines.size(); i++) {
            assertThat(offsets.get(i)).isEqualTo(at);
            at += lines.get(i).getBytes(StandardCharsets.UTF_8).length + 1;
        }
        List<String> middle = new ArrayList<>();
        JsonLines.forEach(file, offsets.get(149), offsets.get(152), (offset, line) -> middle.add(line));
        assertThat(middle).isEqualTo(lines.subList(149, 152));
        // false stops the reading
        List<String> first = new ArrayList<>();
        JsonLines.forEach(file, 0, complete, (offset, line) -> first.add(line) && first.size() < 2);
        assertThat(first).isEqualTo(lines.subList(0, 2));
    }
}
