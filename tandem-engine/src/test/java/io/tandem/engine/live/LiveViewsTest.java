package io.tandem.engine.live;

import io.tandem.core.GroupKey;
import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.feed.Feed;
import io.tandem.engine.query.QueryException;
import io.tandem.engine.query.QueryResult;
import io.tandem.engine.query.ViewQuery;
import io.tandem.spi.store.StateKey;
import io.tandem.spi.view.Catalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Live views over a stand-in for the query service: each row's only measure counts how often the hot path changed
 * it. The flusher is set to an hour, so each test flushes by hand.
 */
class LiveViewsTest {

    static final TandemConfig CONFIG = ConfigLoader.parse("""
            streams:
              trades:
                time: ts
                fields: {symbol: string, qty: long}
            views:
              trades_1m:
                from: trades
                group_by: [symbol, qty]
                granularity: 1m
                measures:
                  trades: count
            """, "test.yaml");
    static final long MINUTE = 60_000;

    final Map<RowKey, Long> changes = new ConcurrentHashMap<>();
    final List<ViewQuery> snapshots = new ArrayList<>();
    LiveViews live;

    LiveViews start(int bufferSize, int queueCapacity) {
        live = new LiveViews(new Catalog(CONFIG), this::row, this::query, () -> 0L,
                new LiveViews.Options(3_600_000, bufferSize, queueCapacity, 60));
        return live;
    }

    @AfterEach
    void stop() {
        live.close();
    }

    QueryResult.Row row(String view, GroupKey dims, long bucket) {
        Long n = changes.get(new RowKey(view, dims, bucket));
        return n == null ? null : new QueryResult.Row(bucket, dims, new Object[] {n}, "realtime");
    }

    QueryResult query(ViewQuery q) {
        snapshots.add(q);
        List<QueryResult.Row> rows = new ArrayList<>();
        changes.forEach((k, n) -> rows.add(new QueryResult.Row(k.bucket(), k.dims(), new Object[] {n}, "realtime")));
        return new QueryResult(q.view(), MINUTE, List.of("symbol", "qty"), List.of("trades"),
                QueryResult.Boundary.NONE, rows);
    }

    /** What the hot path does: change the row, then tell the listener about it. */
    void change(String symbol, long qty, long bucket) {
        GroupKey dims = GroupKey.of(symbol, qty);
        changes.merge(new RowKey("trades_1m", dims, bucket), 1L, Long::sum);
        live.onCommit(CONFIG.streams().get("trades"), 0, Set.of(new StateKey("trades_1m", dims, bucket, 7)), 0);
    }

    static List<LiveRow> drain(Feed<LiveRow> s) throws InterruptedException {
        List<LiveRow> rows = new ArrayList<>();
        for (LiveRow r = s.poll(Duration.ZERO); r != null; r = s.poll(Duration.ZERO)) {
            rows.add(r);
        }
        return rows;
    }

    LiveFilter all() {
        return live.filter("trades_1m", Map.of());
    }

    @Test
    void when_aRowChangesManyTimesBetweenFlushes_then_itIsSentOnceWithItsLatestValue() throws Exception {
        start(100, 100);
        Feed<LiveRow> s = live.subscribe(all(), null);

        // 1. a thousand commits touch the same row, and one touches another
        for (int i = 0; i < 1_000; i++) {
            change("AAPL", 1, 0);
        }
        change("MSFT", 1, 0);
        live.flush();

        // 2. one message per row, carrying the value at the flush, ids increasing
        List<LiveRow> rows = drain(s);
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).row().dims()).isEqualTo(GroupKey.of("AAPL", 1L));
        assertThat(rows.get(0).row().values()).containsExactly(1_000L);
        assertThat(rows.get(1).id()).isEqualTo(rows.get(0).id() + 1);

        // 3. nothing changed: the next flush sends nothing
        live.flush();
        assertThat(drain(s)).isEmpty();
    }

    @Test
    void when_aSubscriberResumesWithItsLastId_then_itGetsEachRowChangedSinceOnceInOrderOfLastChange()
            throws Exception {
        start(100, 100);
        Feed<LiveRow> first = live.subscribe(all(), null);
        change("AAPL", 1, 0);
        change("MSFT", 1, 0);
        live.flush();
        long lastSeen = drain(first).get(1).id();
        first.close();

        // 1. while the subscriber is away: AAPL, then IBM, then AAPL again, over three flushes
        change("AAPL", 1, 0);
        live.flush();
        change("IBM", 1, 0);
        live.flush();
        change("AAPL", 1, 0);
        live.flush();

        // 2. it resumes: IBM, then AAPL once with its current value, and no note
        Feed<LiveRow> back = live.subscribe(all(), lastSeen);
        assertThat(back.resumeNote()).isNull();
        List<LiveRow> missed = drain(back);
        assertThat(missed).extracting(r -> r.row().dims().get(0)).containsExactly("IBM", "AAPL");
        assertThat(missed.get(1).row().values()).containsExactly(3L);
        assertThat(missed.get(1).id()).isEqualTo(live.lastId());

        // 3. then it follows new changes like any subscriber
        change("MSFT", 1, 0);
        live.flush();
        assertThat(drain(back)).extracting(r -> r.row().dims().get(0)).containsExactly("MSFT");

        // 4. resuming from the latest id misses nothing and replays nothing
        assertThat(drain(live.subscribe(all(), live.lastId()))).isEmpty();
    }

    @Test
    void when_theLastIdIsOlderThanTheBuffer_then_theRecentBucketsAreSentWithANote() throws Exception {
        start(4, 100);
        for (int i = 0; i < 10; i++) {
            change("S" + i, 1, i * MINUTE);
            live.flush();
        }

        Feed<LiveRow> s = live.subscribe(all(), 1L);

        // the view's last 60 buckets up to the newest changed one, each row with the latest id
        assertThat(s.resumeNote()).contains("Last-Event-ID 1 is not among the row changes kept")
                .contains("last 60 buckets");
        assertThat(snapshots).singleElement().satisfies(q -> {
            assertThat(q.toMs()).isEqualTo(10 * MINUTE);
            assertThat(q.fromMs()).isEqualTo(-50 * MINUTE);
        });
        List<LiveRow> rows = drain(s);
        assertThat(rows).hasSize(10).allSatisfy(r -> assertThat(r.id()).isEqualTo(live.lastId()));
    }

    @Test
    void when_theLastIdIsFromAnotherRun_then_itIsNotMistakenForOneOfThisRun() throws Exception {
        start(100, 100);
        change("AAPL", 1, 0);
        live.flush();

        Feed<LiveRow> s = live.subscribe(all(), live.lastId() + 1_000);

        assertThat(s.resumeNote()).contains("not among the row changes kept (ids 1 to 1)");
        assertThat(drain(s)).hasSize(1);
    }

    @Test
    void when_aSubscriberFallsBehind_then_itsFeedEndsAsOverflowedWhileOthersKeepGoing() throws Exception {
        start(100, 3);
        Feed<LiveRow> slow = live.subscribe(all(), null);
        Feed<LiveRow> fast = live.subscribe(all(), null);
        List<LiveRow> received = new ArrayList<>();

        // five flushes of one new row each; the fast subscriber reads after each, the slow one never does
        for (int i = 0; i < 5; i++) {
            change("S" + i, 1, 0);
            live.flush();
            received.addAll(drain(fast));
        }

        assertThat(received).hasSize(5);
        assertThat(slow.closed()).isTrue();
        assertThat(slow.overflowed()).isTrue();
        assertThat(drain(slow)).extracting(r -> r.row().dims()).containsExactly(GroupKey.of("S0", 1L),
                GroupKey.of("S1", 1L), GroupKey.of("S2", 1L));
        assertThat(fast.closed()).isFalse();
        assertThat(live.subscriberCount()).isEqualTo(1);
        assertThat(live.droppedCount()).isEqualTo(1);
    }

    @Test
    void when_aSubscriberGivesDimensions_then_onlyTheMatchingRowsArrive() throws Exception {
        start(100, 100);
        Feed<LiveRow> aapl = live.subscribe(live.filter("trades_1m", Map.of("symbol", "AAPL")), null);
        Feed<LiveRow> big = live.subscribe(live.filter("trades_1m", Map.of("symbol", "AAPL", "qty", "500")), null);

        change("AAPL", 1, 0);
        change("AAPL", 500, 0);
        change("MSFT", 500, 0);
        live.flush();

        assertThat(drain(aapl)).extracting(r -> r.row().dims()).containsExactly(GroupKey.of("AAPL", 1L),
                GroupKey.of("AAPL", 500L));
        assertThat(drain(big)).extracting(r -> r.row().dims()).containsExactly(GroupKey.of("AAPL", 500L));
    }

    @Test
    void when_theViewOrADimensionIsWrong_then_theFilterSaysWhich() {
        start(100, 100);

        assertThatThrownBy(() -> live.filter("nope", Map.of())).isInstanceOf(QueryException.class)
                .hasMessage("unknown view 'nope' (views: trades_1m)")
                .satisfies(e -> assertThat(((QueryException) e).notFound()).isTrue());
        assertThatThrownBy(() -> live.filter("trades_1m", Map.of("colour", "red")))
                .hasMessageStartingWith("unknown parameter 'colour' (view 'trades_1m' dimensions: symbol, qty");
        assertThatThrownBy(() -> live.filter("trades_1m", Map.of("qty", "many")))
                .hasMessage("qty: expected long, got \"many\"");
    }

    @Test
    void when_theSubscriberCloses_then_itIsForgottenAndNotCountedAsDropped() throws Exception {
        start(100, 100);
        Feed<LiveRow> s = live.subscribe(all(), null);

        s.close();
        change("AAPL", 1, 0);
        live.flush();

        assertThat(s.poll(Duration.ZERO)).isNull();
        assertThat(s.overflowed()).isFalse();
        assertThat(live.subscriberCount()).isZero();
        assertThat(live.droppedCount()).isZero();
    }
}
