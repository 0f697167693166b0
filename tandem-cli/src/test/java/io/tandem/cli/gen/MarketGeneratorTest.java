package io.tandem.cli.gen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.core.FieldDef;
import io.tandem.core.FieldType;
import io.tandem.core.StreamDef;
import io.tandem.core.UnknownFields;
import io.tandem.core.codec.BinaryRow;
import io.tandem.core.codec.RowCodec;
import io.tandem.core.time.Timestamps;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MarketGeneratorTest {

    private static final long T0 = Timestamps.parse("2026-03-02T14:30:00Z");

    @Test
    void when_twoGeneratorsShareASeed_then_theyProduceTheSameTrades() {
        StreamDef stream = MarketGenerator.defaultStream();
        RowCodec.Builder a = new RowCodec(stream).builder();
        RowCodec.Builder b = new RowCodec(stream).builder();
        MarketGenerator first = new MarketGenerator(1000, 7);
        MarketGenerator second = new MarketGenerator(1000, 7);
        MarketGenerator other = new MarketGenerator(1000, 8);
        assertThat(first.symbols()).isEqualTo(second.symbols()).isNotEqualTo(other.symbols());
        for (int i = 0; i < 20_000; i++) {
            first.next(T0 + i, a);
            second.next(T0 + i, b);
            assertThat(a.encode()).isEqualTo(b.encode());
        }
    }

    @Test
    void tradesAreInRangeAndSymbolPopularityIsSkewed() {
        StreamDef stream = MarketGenerator.defaultStream();
        RowCodec codec = new RowCodec(stream);
        RowCodec.Builder builder = codec.builder();
        BinaryRow row = codec.reader();
        MarketGenerator market = new MarketGenerator(1000, 42);
        Set<String> tickers = Set.copyOf(market.symbols());
        assertThat(tickers).hasSize(1000).allMatch(t -> t.matches("[A-Z]{3,4}"));
        Map<String, Integer> tradesBySymbol = new HashMap<>();
        Set<String> traders = new HashSet<>();
        int small = 0;
        int trades = 200_000;
        for (int i = 0; i < trades; i++) {
            market.next(T0 + i, builder);
            byte[] p = builder.encode();
            row.reset(p, 0, p.length, 0, i);
            assertThat(row.eventTime()).isEqualTo(T0 + i);
            assertThat(tickers).contains(row.getString(0));
            assertThat(row.getDouble(1)).isBetween(0.01, 100_000.0);
            long qty = row.getLong(2);
            assertThat(qty).isBetween(1L, 500_000L);
            small += qty <= 500 ? 1 : 0;
            traders.add(row.getString(3));
            tradesBySymbol.merge(row.getString(0), 1, Integer::sum);
        }
        assertThat(traders).hasSize(MarketGenerator.TRADERS);
        assertThat((double) small / trades).isBetween(0.85, 0.95);
        assertThat(tradesBySymbol.get(market.symbols().get(0))).isGreaterThan(trades / 20);
    }

    @Test
    void when_millionTradesAreGenerated_then_priceJumpsHappenAtTheConfiguredRate() {
        MarketGenerator market = new MarketGenerator(1000, 42);
        RowCodec codec = new RowCodec(MarketGenerator.defaultStream());
        RowCodec.Builder builder = codec.builder();
        BinaryRow row = codec.reader();
        Map<String, Double> lastPrice = new HashMap<>();
        int jumps = 0;
        int trades = 1_000_000;
        for (int i = 0; i < trades; i++) {
            market.next(T0 + i, builder);
            byte[] p = builder.encode();
            row.reset(p, 0, p.length, 0, i);
            Double before = lastPrice.put(row.getString(0), row.getDouble(1));
            // Normal moves are 0.02% per trade; a move over 1.5% (cent rounding aside) is a jump.
            if (before != null && Math.abs(row.getDouble(1) / before - 1) > 0.015) {
                jumps++;
            }
        }
        double expected = trades * MarketGenerator.JUMP_PROBABILITY;
        assertThat((double) jumps).isBetween(expected * 0.6, expected * 1.4);
    }

    @Test
    void when_tradeIsWrittenAsJson_then_itHoldsTheSameValuesAsTheBinaryForm() throws Exception {
        RowCodec codec = new RowCodec(MarketGenerator.defaultStream());
        RowCodec.Builder builder = codec.builder();
        BinaryRow row = codec.reader();
        MarketGenerator binary = new MarketGenerator(50, 3);
        MarketGenerator json = new MarketGenerator(50, 3);
        ObjectMapper mapper = new ObjectMapper();
        for (int i = 0; i < 1000; i++) {
            long ts = T0 + 125L * i;
            binary.next(ts, builder);
            byte[] p = builder.encode();
            row.reset(p, 0, p.length, 0, i);
            JsonNode node = mapper.readTree(json.nextJson(ts));
            assertThat(Timestamps.parse(node.get("ts").asText())).isEqualTo(ts);
            assertThat(node.get("symbol").asText()).isEqualTo(row.getString(0));
            assertThat(node.get("price").doubleValue()).isEqualTo(row.getDouble(1));
            assertThat(node.get("qty").isIntegralNumber()).isTrue();
            assertThat(node.get("qty").longValue()).isEqualTo(row.getLong(2));
            assertThat(node.get("trader").asText()).isEqualTo(row.getString(3));
        }
    }

    @Test
    void when_streamDeclaresFieldsInAnotherOrder_then_valuesGoToTheNamedFields() {
        StreamDef stream = new StreamDef("ticks", "time", 5000, List.of(
                new FieldDef("venue", FieldType.STRING),
                new FieldDef("trader", FieldType.STRING),
                new FieldDef("qty", FieldType.LONG),
                new FieldDef("symbol", FieldType.STRING),
                new FieldDef("price", FieldType.DOUBLE)), UnknownFields.IGNORE);
        RowCodec codec = new RowCodec(stream);
        RowCodec.Builder builder = codec.builder();
        new MarketGenerator(stream, 10, 1).next(T0, builder);
        byte[] p = builder.encode();
        BinaryRow row = codec.reader().reset(p, 0, p.length, 0, 0);
        assertThat(row.isNull(0)).isTrue();
        assertThat(row.getString(1)).matches("T\\d{3}");
        assertThat(row.getString(3)).matches("[A-Z]{3,4}");
        assertThat(new MarketGenerator(stream, 10, 1).nextJson(T0)).startsWith("{\"time\":\"2026-03-02T14:30:00Z\"");
    }

    @Test
    void when_streamLacksAFieldOrTypesDiffer_then_theErrorNamesIt() {
        StreamDef noTrader = new StreamDef("trades", "ts", 5000, List.of(
                new FieldDef("symbol", FieldType.STRING),
                new FieldDef("price", FieldType.DOUBLE),
                new FieldDef("qty", FieldType.LONG)), UnknownFields.REJECT);
        assertThatThrownBy(() -> new MarketGenerator(noTrader, 10, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("stream trades has no field \"trader\" that the market generator fills "
                        + "(fields: symbol, price, qty)");
        StreamDef doubleQty = new StreamDef("trades", "ts", 5000, List.of(
                new FieldDef("symbol", FieldType.STRING),
                new FieldDef("price", FieldType.DOUBLE),
                new FieldDef("qty", FieldType.DOUBLE),
                new FieldDef("trader", FieldType.STRING)), UnknownFields.REJECT);
        assertThatThrownBy(() -> new MarketGenerator(doubleQty, 10, 1))
                .hasMessage("stream trades: field \"qty\" must be long for the market generator, got double");
    }
}
