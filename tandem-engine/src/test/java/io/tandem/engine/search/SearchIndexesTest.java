package io.tandem.engine.search;

import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import io.tandem.engine.batchview.BatchRun;
import io.tandem.engine.ingest.IngestResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Search indexes inside a running {@link Tandem}: real log, hot path, lake, batch runs and Lucene files. */
class SearchIndexesTest {

    static final String CONFIG = """
            epoch: 1s
            streams:
              news:
                time: ts
                fields: {headline: string, symbol: string, source: string, n: long, urgent: boolean}
            indexes:
              headlines:
                stream: news
                fields: [headline, source]
            """;
    static final long START = Instant.parse("2026-11-26T10:00:00Z").toEpochMilli();
    static final Duration WAIT = Duration.ofSeconds(30);
    /** The most events the concurrent test sends, so that one search can return them all. */
    static final long CAP = 8_000;
    static final String[] WORDS = {"merger", "profit", "warning", "upgrade", "recall", "dividend", "lawsuit"};
    static final String[] SOURCES = {"wire", "blog", "filing"};

    @TempDir
    Path dir;
    final AtomicLong clock = new AtomicLong(START);
    final TandemConfig config = ConfigLoader.parse(CONFIG, "test.yaml");

    Tandem start() {
        return Tandem.start(config, TandemOptions.defaults(dir).withPartitions(2).withClock(clock::get)
                .withAutomaticBatchRuns(false));
    }

    /** Event n: a headline of two words that depend on n, at event time START + (n mod 3000) seconds. */
    static String event(long n) {
        return "{\"ts\":" + (START + (n % 3_000) * 1000) + ",\"headline\":\"ACME " + WORDS[(int) (n % WORDS.length)]
                + " "
                + WORDS[(int) ((n / 7) % WORDS.length)] + " n" + n + "\",\"symbol\":\"S" + (n % 5)
                + "\",\"source\":\"" + SOURCES[(int) (n % SOURCES.length)] + "\",\"n\":" + n
                + (n % 2 == 0 ? ",\"urgent\":true" : "") + "}";
    }

    static void ingest(Tandem tandem, long from, long to) {
        StringBuilder body = new StringBuilder();
        for (long n = from; n < to; n++) {
            body.append(event(n)).append('\n');
        }
        IngestResponse r = tandem.ingest("news", body.toString().getBytes(StandardCharsets.UTF_8), null);
        assertThat(r.accepted()).isEqualTo(to - from);
    }

    /** The n of every hit of a query, as a list (so that a doubled event shows twice). */
    static List<Long> ns(SearchResult r) {
        return r.hits().stream().map(h -> (Long) h.fields().get("n")).toList();
    }

    static SearchResult all(Tandem tandem) {
        return tandem.search().search("headlines", "*:*", Long.MIN_VALUE, Long.MAX_VALUE, SearchIndexes.MAX_LIMIT);
    }

    static double indexed(Tandem tandem) {
        return tandem.metrics().registry().get("tandem.search.docs.indexed").tag("index", "headlines").counter()
                .count();
    }

    @Test
    void when_eventsAreIngested_then_aSearchFindsThemWithEveryStoredField() {
        try (Tandem tandem = start()) {
            // 1. 100 events; event 3 is "ACME upgrade merger n3" from the wire
            ingest(tandem, 0, 100);

            // 2. searchable without a commit or a batch run: the near-real-time reader
            await().atMost(WAIT).untilAsserted(() -> assertThat(all(tandem).total()).isEqualTo(100));
            SearchResult r = tandem.search().search("headlines", "headline:n3 AND source:wire", Long.MIN_VALUE,
                    Long.MAX_VALUE, 10);
            assertThat(r.total()).isEqualTo(1);
            SearchResult.Hit hit = r.hits().get(0);
            assertThat(hit.score()).isPositive();
            assertThat(hit.fields()).containsEntry("headline", "ACME upgrade merger n3")
                    .containsEntry("symbol", "S3").containsEntry("source", "wire").containsEntry("n", 3L)
                    .containsEntry("urgent", null).containsEntry("ts", "2026-11-26T10:00:03Z")
                    .containsEntry("_epoch", tandem.config().epochOf(START))
                    .containsEntry("_arrival", "2026-11-26T10:00:00Z")
                    .containsKeys("_partition", "_offset");
            assertThat(tandem.search().search("headlines", "n4", Long.MIN_VALUE, Long.MAX_VALUE, 10).hits()
                    .get(0).fields()).containsEntry("urgent", true);

            // 3. a plain word query against the reference: every event whose headline holds the word
            List<Long> expected = new ArrayList<>();
            for (long n = 0; n < 100; n++) {
                if (event(n).contains(" merger")) {
                    expected.add(n);
                }
            }
            assertThat(ns(tandem.search().search("headlines", "merger", Long.MIN_VALUE, Long.MAX_VALUE, 1000)))
                    .containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void when_fromAndToAreGiven_then_onlyEventTimesInTheHalfOpenRangeMatch() {
        try (Tandem tandem = start()) {
            ingest(tandem, 0, 60);
            await().atMost(WAIT).untilAsserted(() -> assertThat(all(tandem).total()).isEqualTo(60));

            // [START + 10 s, START + 20 s): events 10 to 19, and of those the wire ones for "source:wire"
            SearchResult r = tandem.search().search("headlines", "*:*", START + 10_000, START + 20_000, 100);
            assertThat(ns(r)).containsExactlyInAnyOrder(10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L);
            assertThat(ns(tandem.search().search("headlines", "source:wire", START + 10_000, START + 20_000, 100)))
                    .containsExactlyInAnyOrder(12L, 15L, 18L);
            // the limit cuts the hits, not the total
            SearchResult limited = tandem.search().search("headlines", "*:*", START + 10_000, START + 20_000, 3);
            assertThat(limited.total()).isEqualTo(10);
            assertThat(limited.hits()).hasSize(3);
        }
    }

    @Test
    void when_theQueryOrParametersAreBad_then_theErrorNamesTheProblem() {
        try (Tandem tandem = start()) {
            SearchIndexes s = tandem.search();
            assertThatThrownBy(() -> s.search("nope", "x", Long.MIN_VALUE, Long.MAX_VALUE, 10))
                    .isInstanceOfSatisfying(SearchException.class, e -> assertThat(e.notFound()).isTrue())
                    .hasMessage("index: unknown index 'nope' (indexes: headlines)");
            assertThatThrownBy(() -> s.search("headlines", "headline:(merger", Long.MIN_VALUE, Long.MAX_VALUE, 10))
                    .isInstanceOfSatisfying(SearchException.class, e -> assertThat(e.notFound()).isFalse())
                    .hasMessageStartingWith("q: Cannot parse 'headline:(merger'");
            assertThatThrownBy(() -> s.search("headlines", "symbol:S1", Long.MIN_VALUE, Long.MAX_VALUE, 10))
                    .hasMessage("q: field 'symbol' is not searched by index 'headlines' (its fields: headline, "
                            + "source)");
            assertThatThrownBy(() -> s.search("headlines", " ", Long.MIN_VALUE, Long.MAX_VALUE, 10))
                    .hasMessageStartingWith("q: required");
            assertThatThrownBy(() -> s.search("headlines", "x", 5, 5, 10))
                    .hasMessage("from: must be before to, got from 5 and to 5");
            assertThatThrownBy(() -> s.search("headlines", "x", Long.MIN_VALUE, Long.MAX_VALUE, 0))
                    .hasMessage("limit: expected 1 to 10000, got 0");
        }
    }

    @Test
    void when_theHotPathReplaysEventsTheIndexHasCommitted_then_noneIsDoubled() {
        // 1. 200 events indexed and committed (a clean close commits)
        try (Tandem tandem = start()) {
            ingest(tandem, 0, 200);
            await().atMost(WAIT).untilAsserted(() -> assertThat(all(tandem).total()).isEqualTo(200));
        }
        // 2. the store's checkpoint is lost: the hot path replays the whole log into the index again
        deleteTree(dir.resolve("store"));
        try (Tandem tandem = start()) {
            assertThat(tandem.awaitCaughtUp(WAIT)).isTrue();
            await().atMost(WAIT).until(() -> indexed(tandem) >= 200);
            await().atMost(WAIT).untilAsserted(() -> assertThat(tandem.search().status("headlines").queued())
                    .isZero());
            // 3. every replayed event replaced its own document
            tandem.search().commit();
            SearchResult r = all(tandem);
            assertThat(r.total()).isEqualTo(200);
            assertThat(ns(r)).doesNotHaveDuplicates().hasSize(200);
        }
    }

    @Test
    void when_theIndexLostWhatItIndexedSinceTheStoreCheckpoint_then_openingCatchesUpFromTheLog() {
        // 1. 150 events indexed; the store's checkpoint covers them all
        try (Tandem tandem = start()) {
            ingest(tandem, 0, 150);
            await().atMost(WAIT).untilAsserted(() -> assertThat(all(tandem).total()).isEqualTo(150));
        }
        // 2. the real-time part is lost (as if it never committed): the hot path will not replay these events
        deleteTree(dir.resolve("index/headlines/realtime"));
        try (Tandem tandem = start()) {
            // 3. opening read them back from the log before the hot path started
            SearchResult r = all(tandem);
            assertThat(ns(r)).containsExactlyInAnyOrderElementsOf(range(0, 150));
        }
    }

    @Test
    void when_batchRebuildsSwapInWhileEventsArrive_then_searchesNeverMissOrDoubleAnEvent() throws Exception {
        try (Tandem tandem = start()) {
            List<Long> acked = new CopyOnWriteArrayList<>();
            List<String> problems = new CopyOnWriteArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();

            // 1. a producer ingests 20 events per request, each event numbered. The test clock jumps 2.5 s at once,
            //    which a real clock never does during an append: the lake's grace assumes that an append stamped in
            //    an epoch is durable within 1 s of clock time, so the clock never jumps while one is in flight
            ReentrantLock appending = new ReentrantLock();
            Thread producer = new Thread(() -> {
                long n = 0;
                while (!stop.get() && n < CAP) {
                    appending.lock();
                    try {
                        ingest(tandem, n, n + 20);
                    } finally {
                        appending.unlock();
                    }
                    for (long i = n; i < n + 20; i++) {
                        acked.add(i);
                    }
                    n += 20;
                    // paced, so that the batch runs below happen while events still arrive
                    LockSupport.parkNanos(1_000_000);
                }
            });
            // 2. a reader searches every event, over and over: no answer may hold an event twice, and none may
            //    hold fewer events than an earlier answer (what was searchable stays searchable across a swap)
            Thread reader = new Thread(() -> {
                long last = 0;
                while (!stop.get()) {
                    SearchResult r = all(tandem);
                    List<Long> ns = ns(r);
                    if (new HashSet<>(ns).size() != ns.size()) {
                        problems.add("an answer holds an event twice: " + ns.size() + " hits, "
                                + new HashSet<>(ns).size() + " distinct");
                    }
                    if (r.total() != ns.size() && ns.size() < SearchIndexes.MAX_LIMIT) {
                        problems.add("total " + r.total() + " but " + ns.size() + " hits");
                    }
                    if (r.total() < last) {
                        problems.add("an answer lost events: " + r.total() + " after " + last);
                    }
                    last = r.total();
                }
            });
            producer.start();
            reader.start();

            // 3. while both run, arrival time moves on and batch runs publish; each swap is awaited
            for (int run = 0; run < 4; run++) {
                int before = acked.size();
                await().atMost(WAIT).until(() -> acked.size() >= Math.min(CAP, before + 200));
                appending.lock();
                try {
                    clock.addAndGet(2_500);
                } finally {
                    appending.unlock();
                }
                BatchRun published = tandem.runBatch(false).join();
                assertThat(published.status()).isEqualTo("published");
                awaitRebuilt(tandem, published);
            }
            stop.set(true);
            producer.join();
            reader.join();
            assertThat(problems).isEmpty();
            // a last request after the last run: its events are in the real-time part only
            long n = acked.size();
            ingest(tandem, n, n + 200);
            for (long i = n; i < n + 200; i++) {
                acked.add(i);
            }
            assertThat(acked.size()).isLessThan(SearchIndexes.MAX_LIMIT);

            // 4. settled: the hits are exactly the acknowledged events, in the two parts together
            assertThat(tandem.awaitCaughtUp(WAIT)).isTrue();
            await().atMost(WAIT).untilAsserted(() -> assertThat(all(tandem).total()).isEqualTo(acked.size()));
            assertThat(ns(all(tandem))).containsExactlyInAnyOrderElementsOf(acked);
            SearchIndexes.IndexStatus status = tandem.search().status("headlines");
            assertThat(status.batchDocs()).isPositive().isLessThan(acked.size());

            // 5. a last run covers everything: the batch part alone holds every event, and nothing doubled
            clock.addAndGet(2_500);
            BatchRun last = tandem.runBatch(false).join();
            awaitRebuilt(tandem, last);
            assertThat(tandem.search().status("headlines").batchDocs()).isEqualTo(acked.size());
            assertThat(ns(all(tandem))).containsExactlyInAnyOrderElementsOf(acked);
        }
    }

    @Test
    void when_restartedAfterBatchRebuilds_then_bothPartsAreReadBackAndNothingIsDoubled() {
        Set<Long> expected = new HashSet<>(range(0, 300));
        try (Tandem tandem = start()) {
            // 1. 200 events go into a batch part, 100 more stay real-time
            ingest(tandem, 0, 200);
            assertThat(tandem.awaitCaughtUp(WAIT)).isTrue();
            clock.addAndGet(2_500);
            BatchRun run = tandem.runBatch(false).join();
            awaitRebuilt(tandem, run);
            ingest(tandem, 200, 300);
            await().atMost(WAIT).untilAsserted(() -> assertThat(all(tandem).total()).isEqualTo(300));
        }
        // 2. the store checkpoint is lost too: the whole log that is left replays
        deleteTree(dir.resolve("store"));
        try (Tandem tandem = start()) {
            assertThat(tandem.awaitCaughtUp(WAIT)).isTrue();
            await().atMost(WAIT).untilAsserted(() -> assertThat(tandem.search().status("headlines").queued())
                    .isZero());
            SearchIndexes.IndexStatus status = tandem.search().status("headlines");
            assertThat(status.batchDocs()).isEqualTo(200);
            SearchResult r = all(tandem);
            assertThat(ns(r)).doesNotHaveDuplicates();
            assertThat(Set.copyOf(ns(r))).isEqualTo(expected);
        }
    }

    /** Waits until the index's batch part covers what the run published. */
    static void awaitRebuilt(Tandem tandem, BatchRun run) {
        assertThat(run.status()).isEqualTo("published");
        await().atMost(WAIT).until(() -> run.boundaryEpoch().equals(tandem.search().status("headlines")
                .boundaryEpoch()));
    }

    static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long n = from; n < to; n++) {
            out.add(n);
        }
        return out;
    }

    static void deleteTree(Path path) {
        try {
            SearchIndex.deleteTree(path);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
