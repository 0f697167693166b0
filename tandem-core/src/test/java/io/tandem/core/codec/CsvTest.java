package io.tandem.core.codec;

import io.tandem.core.FieldDef;
import io.tandem.core.FieldType;
import io.tandem.core.StreamDef;
import io.tandem.core.UnknownFields;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CsvTest {

    @Test
    void valuesAreTypedByHowTheyAreWritten() throws IOException {
        String csv = """
                ts,symbol,price,qty,ok,note
                2026-11-26T10:05:00Z,ACME,12.5,300,true,
                1000,007,-1e3,-7,FALSE,.5
                """;

        assertThat(convert(csv)).isEqualTo("""
                {"ts":"2026-11-26T10:05:00Z","symbol":"ACME","price":12.5,"qty":300,"ok":true,"note":null}
                {"ts":1000,"symbol":"007","price":-1e3,"qty":-7,"ok":false,"note":".5"}
                """);
    }

    @Test
    void rfc4180Quoting_commasQuotesAndLineBreaksInsideValues() throws IOException {
        String csv = "a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",\"\"\r\n";

        assertThat(convert(csv)).isEqualTo("""
                {"a":"x, y","b":"say \\"hi\\""}
                {"a":"two\\nlines","b":null}
                """);
    }

    @Test
    void emptyLinesAndAByteOrderMark_areSkipped() throws IOException {
        assertThat(convert("\uFEFFa\n\n1\n\n2\n")).isEqualTo("{\"a\":1}\n{\"a\":2}\n");
        assertThat(convert("")).isEmpty();
        assertThat(convert("a,b\n")).isEmpty();
    }

    @Test
    void stringColumnsOfAStream_stayStrings() throws IOException {
        StreamDef stream = new StreamDef("s", "ts", 0, List.of(
                new FieldDef("zip", FieldType.STRING), new FieldDef("n", FieldType.LONG)), UnknownFields.IGNORE);
        StringWriter out = new StringWriter();

        long rows = Csv.toNdjson(new StringReader("ts,zip,n\n1,123,123\n2,,true\n"), out, stream);

        assertThat(rows).isEqualTo(2);
        assertThat(out.toString()).isEqualTo("""
                {"ts":1,"zip":"123","n":123}
                {"ts":2,"zip":null,"n":true}
                """);
    }

    @Test
    void convertedRows_parseAsEvents() throws IOException {
        StreamDef stream = JsonEventsTest.TRADES;
        StringWriter out = new StringWriter();
        Csv.toNdjson(new StringReader("ts,symbol,price,qty\n1,A,2.5,3\n2,B,,4\n"), out, stream);

        JsonEvents.Result result = new JsonEvents(stream).parse(out.toString().getBytes(StandardCharsets.UTF_8));

        assertThat(result.errors()).isEmpty();
        assertThat(JsonEventsTest.decode(result)).containsExactly(
                JsonEventsTest.event(1, "A", 2.5, 3L, null, null),
                JsonEventsTest.event(2, "B", null, 4L, null, null));
    }

    @Test
    void rowOfTheWrongWidth_namesItsLine() {
        assertThatThrownBy(() -> convert("a,b\n1,2\n\n3\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("line 4: 1 values, but the header has 2 columns");
    }

    @Test
    void badHeader_isRejected() {
        assertThatThrownBy(() -> convert("a,,c\n1,2,3\n")).hasMessage("line 1: column 2 has no name");
        assertThatThrownBy(() -> convert("a,b,a\n1,2,3\n")).hasMessage("line 1: column 'a' appears twice");
    }

    @Test
    void unclosedQuote_isAnIoError() {
        assertThatThrownBy(() -> convert("a\n\"open\n")).isInstanceOf(IOException.class);
    }

    private static String convert(String csv) throws IOException {
        StringWriter out = new StringWriter();
        Csv.toNdjson(new StringReader(csv), out);
        return out.toString();
    }
}
