package io.tandem.engine.search;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tandem.core.IndexDef;
import io.tandem.core.StreamDef;
import io.tandem.core.codec.BinaryRow;
import io.tandem.core.codec.RowCodec;
import io.tandem.engine.duckdb.DuckDb;
import io.tandem.engine.durable.Durable;
import io.tandem.spi.lake.Lake;
import io.tandem.spi.lake.LakeFile;
import io.tandem.spi.log.EventLog;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.MultiReader;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.queryparser.classic.MultiFieldQueryParser;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.ControlledRealTimeReopenThread;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ReferenceManager;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopScoreDocCollectorManager;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.automaton.TooComplexToDeterminizeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntToLongFunction;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One search index: a <em>batch</em> part built from the lake for every epoch up to a boundary B, and a
 * <em>real-time</em> part fed by the hot path, of which queries see only the epochs after B. Together they hold
 * every event exactly once, as the merged views do.
 *
 * <h2>Files</h2>
 * <pre>
 * index/NAME/realtime/            the real-time part: an IndexWriter, committed at maintenance time with the next
 *                                 log offset indexed per partition and the definition (commit user data)
 * index/NAME/batch-V/             the batch part built for batch version V (user data: boundary, version)
 * index/NAME/.batch-V.tmp/        being built; removed on open
 * </pre>
 *
 * <h2>Exactly once</h2>
 * Each document's id is its (partition, offset); an event below the offsets of the last commit (what the hot path
 * may replay after a restart) is written with {@code updateDocument}, so a replay of the log never doubles it. On
 * open the real-time part is caught up from its committed offsets to the hot path's checkpoint by reading the log,
 * so a checkpoint ahead of the index's last commit loses nothing; the hot path then replays from its checkpoint on.
 * Log retention only deletes records of epochs that a published batch version covers, and a batch part behind the
 * published version is rebuilt on open before anything else, so those records are never needed again.
 *
 * <h2>The swap</h2>
 * After a batch publish a new batch part is built from the lake's files of epochs up to B under a temp name,
 * committed, renamed into place; then, under a write lock, the current (batch part, B) pair is replaced. A search
 * takes the pair and the latest real-time reader under the read lock, and filters the real-time part to epochs
 * after the pair's B. Only after the swap are the real-time documents of epochs up to B deleted, so a search that
 * took the old pair still finds them, and one that takes the new pair finds them in the batch part.
 */
final class SearchIndex implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SearchIndex.class);
    static final int QUEUE_CAPACITY = 65_536;
    private static final int DRAIN = 4_096;
    private static final int CATCH_UP_BATCH = 16_384;
    private static final double MAX_STALE_SEC = 0.1;
    private static final double MIN_STALE_SEC = 0.01;
    private static final Pattern BATCH_DIR = Pattern.compile("batch-(\\d+)");
    private static final String DEFINITION = "definition";
    private static final String BOUNDARY = "boundary";
    private static final String VERSION = "version";
    private static final String NEXT = "next.";

    /** The batch part of one version: its reader holds one reference for being current. */
    private record Batch(DirectoryReader reader, long boundary, long version, long docs, AtomicBoolean retired) {
        static final Batch NONE = new Batch(null, Long.MIN_VALUE, 0, 0, new AtomicBoolean());
    }

    private final IndexDef def;
    private final StreamDef stream;
    private final EventDocs docs;
    private final String definition;
    private final Path dir;
    private final Lake lake;
    /** Opens {@code search-<index>}, the DuckDB instance a rebuild reads the lake with; rebuilds never overlap. */
    private final DuckDb duckdb;
    private final LongSupplier clock;
    private final Analyzer analyzer = new StandardAnalyzer();
    private final String[] fields;
    private final BlockingQueue<IndexedEvent> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final AtomicLongArray next;
    /** Per partition, the next offset of the last commit at open: below it the hot path's replay may re-send. */
    private final long[] replayUntil;
    private final ReadWriteLock swap = new ReentrantReadWriteLock();
    private final AtomicLong oldestUnrefreshed = new AtomicLong(Long.MAX_VALUE);
    private final Counter indexed;
    private final Counter queueFull;
    private final Counter failures;
    private final Counter lost;
    private final Timer visibility;
    private final Directory realtimeDir;
    private final IndexWriter realtime;
    private final SearcherManager searchers;
    private final ControlledRealTimeReopenThread<IndexSearcher> reopener;
    private final Thread indexer;
    private volatile Batch batch = Batch.NONE;
    private volatile boolean closed;
    private volatile long lastRebuildMs = -1;
    private volatile String lastRebuildError;

    /**
     * Opens (or creates) the index in {@code dir}, brings its batch part to {@code boundary}, catches its real-time
     * part up to the hot path's offsets, and starts indexing.
     *
     * @param hotOffset the hot path's committed offset of each partition: where it will replay from
     */
    SearchIndex(IndexDef def, StreamDef stream, Path dir, EventLog log, Lake lake, long boundary, long version,
                IntToLongFunction hotOffset, long epochMs, LongSupplier clock, MeterRegistry meters, DuckDb duckdb)
            throws IOException {
        this.def = def;
        this.duckdb = duckdb;
        this.stream = stream;
        this.docs = new EventDocs(stream, def);
        this.definition = EventDocs.definition(stream, def);
        this.dir = dir;
        this.lake = lake;
        this.clock = clock;
        this.fields = def.fields().toArray(String[]::new);
        this.next = new AtomicLongArray(log.partitions());
        this.replayUntil = new long[log.partitions()];
        this.indexed = Counter.builder("tandem.search.docs.indexed").description("Events added to a search "
                + "index's real-time part").tag("index", def.name()).register(meters);
        this.queueFull = Counter.builder("tandem.search.queue.full").description("Events the hot path had to wait "
                + "to hand to a search index because its queue was full (back-pressure)").tag("index", def.name())
                .register(meters);
        this.failures = Counter.builder("tandem.search.index.failures").description("Events a search index could "
                + "not add (logged with partition and offset; the next batch rebuild adds them)")
                .tag("index", def.name()).register(meters);
        this.lost = Counter.builder("tandem.search.queue.lost").description("Events not handed to a search index "
                + "because it was closing (the next start catches them up from the log)").tag("index", def.name())
                .register(meters);
        this.visibility = Timer.builder("tandem.search.visibility").description("Time from an event's arrival to "
                + "its visibility in search, per refresh of the real-time reader (the oldest event it made visible)")
                .publishPercentiles(0.5, 0.99).publishPercentileHistogram()
                .minimumExpectedValue(java.time.Duration.ofMillis(1))
                .maximumExpectedValue(java.time.Duration.ofSeconds(30))
                .tag("index", def.name()).register(meters);
        Gauge.builder("tandem.search.queue.depth", queue, BlockingQueue::size).description("Events waiting for a "
                + "search index's indexing thread").tag("index", def.name()).register(meters);
        Gauge.builder("tandem.search.rebuild.duration.seconds", this, i -> i.lastRebuildMs < 0 ? Double.NaN
                : i.lastRebuildMs / 1000.0).description("Duration of a search index's last batch rebuild")
                .tag("index", def.name()).register(meters);
        Gauge.builder("tandem.search.batch.docs", this, i -> i.batch.docs()).description("Events in a search "
                + "index's batch part").tag("index", def.name()).register(meters);

        Files.createDirectories(dir);
        openBatch();
        Path realtimePath = dir.resolve("realtime");
        Map<String, String> committed = committedData(realtimePath);
        boolean reset = committed != null && !definition.equals(committed.get(DEFINITION));
        if (reset || boundary < batch.boundary()) {
            // another definition, or a batch part ahead of the published version: the real-time part starts over
            deleteTree(realtimePath);
            committed = null;
        }
        this.realtimeDir = FSDirectory.open(realtimePath);
        this.realtime = new IndexWriter(realtimeDir, new IndexWriterConfig(analyzer)
                .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND));
        for (int p = 0; p < next.length(); p++) {
            String v = committed == null ? null : committed.get(NEXT + p);
            next.set(p, v == null ? 0 : Long.parseLong(v));
            replayUntil[p] = next.get(p);
        }
        if (boundary != batch.boundary()) {
            rebuild(boundary, version);
        }
        catchUp(log, hotOffset, epochMs);
        this.searchers = new SearcherManager(realtime, null);
        searchers.addListener(new VisibilityRecorder());
        this.reopener = new ControlledRealTimeReopenThread<>(realtime, searchers, MAX_STALE_SEC, MIN_STALE_SEC);
        reopener.setName("search-refresh-" + def.name());
        reopener.setDaemon(true);
        reopener.start();
        this.indexer = new Thread(this::index, "search-index-" + def.name());
        indexer.setDaemon(true);
        indexer.start();
    }

    String name() {
        return def.name();
    }

    IndexDef def() {
        return def;
    }

    /** The last epoch the batch part covers, or {@link Long#MIN_VALUE}. */
    long boundary() {
        return batch.boundary();
    }

    /** What the index holds and how its last rebuild went. */
    SearchIndexes.IndexStatus status() {
        Batch b = batch;
        return new SearchIndexes.IndexStatus(def.name(), def.stream(), def.fields(),
                b.boundary() == Long.MIN_VALUE ? null : b.boundary(), b.version(), b.docs(), realtime.getDocStats()
                .numDocs, queue.size(), lastRebuildMs < 0 ? null : lastRebuildMs, lastRebuildError);
    }

    // ---- opening ------------------------------------------------------------------------------------------------

    /** Picks the newest complete batch part of this definition; deletes temps and every other batch part. */
    private void openBatch() throws IOException {
        List<Path> children;
        try (Stream<Path> list = Files.list(dir)) {
            children = list.sorted(Comparator.comparing(Path::toString)).toList();
        }
        Path best = null;
        long bestVersion = -1;
        Map<String, String> bestData = null;
        for (Path child : children) {
            Matcher m = BATCH_DIR.matcher(child.getFileName().toString());
            if (!m.matches()) {
                if (Durable.isTemp(child)) {
                    deleteTree(child);
                }
                continue;
            }
            Map<String, String> data = committedData(child);
            long v = Long.parseLong(m.group(1));
            if (data != null && definition.equals(data.get(DEFINITION)) && v > bestVersion) {
                best = child;
                bestVersion = v;
                bestData = data;
            }
        }
        for (Path child : children) {
            if (BATCH_DIR.matcher(child.getFileName().toString()).matches() && !child.equals(best)) {
                deleteTree(child);
            }
        }
        if (best != null) {
            batch = openBatchPart(best, Long.parseLong(bestData.get(BOUNDARY)), bestVersion);
        }
    }

    private Batch openBatchPart(Path path, long boundary, long version) throws IOException {
        Directory d = FSDirectory.open(path);
        DirectoryReader reader = DirectoryReader.open(d);
        AtomicBoolean retired = new AtomicBoolean();
        reader.getReaderCacheHelper().addClosedListener(key -> {
            d.close();
            if (retired.get()) {
                deleteTree(path);
            }
        });
        return new Batch(reader, boundary, version, reader.numDocs(), retired);
    }

    /** The user data of a folder's last Lucene commit, or null when it holds none. */
    private static Map<String, String> committedData(Path path) throws IOException {
        if (!Files.isDirectory(path)) {
            return null;
        }
        try (Directory d = FSDirectory.open(path)) {
            if (!DirectoryReader.indexExists(d)) {
                return null;
            }
            return SegmentInfos.readLatestCommit(d).getUserData();
        }
    }

    /** Indexes the log's events from the committed offsets up to where the hot path replays from. */
    private void catchUp(EventLog log, IntToLongFunction hotOffset, long epochMs) throws IOException {
        BinaryRow row = new RowCodec(stream).reader();
        long boundary = batch.boundary();
        long count = 0;
        for (int p = 0; p < log.partitions(); p++) {
            int partition = p;
            long to = Math.min(hotOffset.applyAsLong(p), log.durableEnd(p));
            long from = Math.max(next.get(p), log.startOffset(p));
            List<IndexedEvent> events = new ArrayList<>();
            while (from < to) {
                events.clear();
                long readTo = to;
                long reached = log.read(p, from, CATCH_UP_BATCH, (offset, kind, epoch, arrivalMs, buf, off, len) -> {
                    if (kind != EventLog.EVENT || offset >= readTo || epoch <= boundary) {
                        return;
                    }
                    try {
                        row.reset(buf, off, len, arrivalMs, ((long) partition << 48) | offset);
                        events.add(IndexedEvent.copy(stream, partition, row, epoch));
                    } catch (RuntimeException e) {
                        LOG.warn("search index {}: skipping a record it cannot read: partition {}, offset {}: {}",
                                def.name(), partition, offset, e.toString());
                    }
                });
                apply(events);
                count += events.size();
                if (reached == from) {
                    break;
                }
                from = reached;
            }
            next.accumulateAndGet(p, Math.min(from, to), Math::max);
        }
        if (count > 0) {
            LOG.info("search index {}: caught up {} events from the log", def.name(), count);
        }
        if (boundary != Long.MIN_VALUE) {
            realtime.deleteDocuments(LongPoint.newRangeQuery(EventDocs.EPOCH, Long.MIN_VALUE, boundary));
        }
    }

    // ---- real-time indexing -------------------------------------------------------------------------------------

    /**
     * Hands an event to the indexing thread. A full queue makes the caller (the hot path) wait, and counts it:
     * back-pressure, never a lost document. Only a closing index drops it, counted, for the next start to catch up.
     */
    void offer(IndexedEvent e) {
        if (queue.offer(e)) {
            return;
        }
        queueFull.increment();
        try {
            while (!queue.offer(e, 100, TimeUnit.MILLISECONDS)) {
                if (closed) {
                    lost.increment();
                    return;
                }
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            lost.increment();
        }
    }

    private void index() {
        List<IndexedEvent> events = new ArrayList<>(DRAIN);
        while (!closed || !queue.isEmpty()) {
            try {
                IndexedEvent first = queue.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                events.add(first);
                queue.drainTo(events, DRAIN - 1);
                apply(events);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("search index {}: the indexing thread failed on a batch; going on", def.name(), e);
            } finally {
                events.clear();
            }
        }
    }

    /**
     * Adds events of epochs after the batch boundary to the real-time part. An event the last commit may hold (a
     * replay) replaces the document of its id; any later one is new, and a plain add spares the refresh from
     * resolving a delete per event.
     */
    private void apply(List<IndexedEvent> events) {
        long boundary = batch.boundary();
        long oldest = Long.MAX_VALUE;
        for (IndexedEvent e : events) {
            if (e.epoch() > boundary) {
                try {
                    if (e.offset() < replayUntil[e.partition()]) {
                        realtime.updateDocument(EventDocs.id(e.partition(), e.offset()), docs.document(e, false));
                    } else {
                        realtime.addDocument(docs.document(e, false));
                    }
                    indexed.increment();
                    oldest = Math.min(oldest, e.arrivalMs());
                } catch (IOException | RuntimeException failure) {
                    failures.increment();
                    LOG.warn("search index {}: cannot add the event at partition {}, offset {}: {}", def.name(),
                            e.partition(), e.offset(), failure.toString());
                }
            }
            next.accumulateAndGet(e.partition(), e.offset() + 1, Math::max);
        }
        long o = oldest;
        oldestUnrefreshed.accumulateAndGet(o, Math::min);
    }

    /** Records, at each refresh that made documents visible, how long ago the oldest of them arrived. */
    private final class VisibilityRecorder implements ReferenceManager.RefreshListener {
        private long pending = Long.MAX_VALUE;

        @Override
        public void beforeRefresh() {
            pending = oldestUnrefreshed.getAndSet(Long.MAX_VALUE);
        }

        @Override
        public void afterRefresh(boolean didRefresh) {
            if (pending == Long.MAX_VALUE) {
                return;
            }
            if (didRefresh) {
                visibility.record(Math.max(0, clock.getAsLong() - pending), TimeUnit.MILLISECONDS);
            } else {
                oldestUnrefreshed.accumulateAndGet(pending, Math::min);
            }
        }
    }

    /** Makes the real-time part durable with the offsets it has indexed; at maintenance time and on close. */
    synchronized void commit() throws IOException {
        Map<String, String> data = new HashMap<>();
        data.put(DEFINITION, definition);
        for (int p = 0; p < next.length(); p++) {
            data.put(NEXT + p, Long.toString(next.get(p)));
        }
        realtime.setLiveCommitData(data.entrySet());
        realtime.commit();
    }

    // ---- batch rebuild ------------------------------------------------------------------------------------------

    /**
     * Builds the batch part of epochs up to {@code boundary} from the lake and swaps it in; does nothing when the
     * current part already covers that boundary.
     */
    void rebuild(long boundary, long version) throws IOException {
        if (boundary == batch.boundary()) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            Batch fresh = boundary == Long.MIN_VALUE ? Batch.NONE : build(boundary, version);
            Batch old;
            swap.writeLock().lock();
            try {
                old = batch;
                batch = fresh;
            } finally {
                swap.writeLock().unlock();
            }
            if (boundary != Long.MIN_VALUE) {
                realtime.deleteDocuments(LongPoint.newRangeQuery(EventDocs.EPOCH, Long.MIN_VALUE, boundary));
            }
            retire(old);
            lastRebuildMs = (System.nanoTime() - t0) / 1_000_000;
            lastRebuildError = null;
            LOG.info("search index {}: batch part of version {} through epoch {} built in {} ms ({} events)",
                    def.name(), version, boundary, lastRebuildMs, fresh.docs());
        } catch (IOException | RuntimeException e) {
            lastRebuildError = e.toString();
            throw e;
        }
    }

    private Batch build(long boundary, long version) throws IOException {
        Path temp = dir.resolve(".batch-" + version + ".tmp");
        Path target = dir.resolve("batch-" + version);
        deleteTree(temp);
        deleteTree(target);
        List<String> files = lake.files(stream.name(), Long.MIN_VALUE, boundary).stream()
                .map(LakeFile::path).map(Path::toString).toList();
        try (Directory d = FSDirectory.open(temp);
             IndexWriter w = new IndexWriter(d, new IndexWriterConfig(analyzer)
                     .setOpenMode(IndexWriterConfig.OpenMode.CREATE).setRAMBufferSizeMB(64))) {
            if (!files.isEmpty()) {
                try (Connection c = duckdb.open("search-" + def.name());
                     Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery(docs.lakeSelect(files))) {
                    while (rs.next()) {
                        if (closed) {
                            throw new IOException("search index " + def.name() + " closed during a rebuild");
                        }
                        w.addDocument(docs.document(docs.fromLake(rs), true));
                    }
                } catch (SQLException e) {
                    throw new IOException("reading the lake of stream '" + stream.name() + "' for search index "
                            + def.name() + " failed: " + e.getMessage(), e);
                }
            }
            w.setLiveCommitData(Map.of(DEFINITION, definition, BOUNDARY, Long.toString(boundary),
                    VERSION, Long.toString(version)).entrySet());
            w.commit();
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        Durable.fsyncDirectory(dir);
        return openBatchPart(target, boundary, version);
    }

    /** Drops the reference of being current: the part's files go once the last search using it ends. */
    private void retire(Batch old) throws IOException {
        if (old.reader() != null) {
            old.retired().set(true);
            old.reader().decRef();
        }
    }

    // ---- search -------------------------------------------------------------------------------------------------

    SearchResult search(String q, long fromMs, long toMs, int limit) {
        Query query = parse(q);
        BooleanQuery.Builder b = new BooleanQuery.Builder().add(query, BooleanClause.Occur.MUST);
        if (fromMs != Long.MIN_VALUE || toMs != Long.MAX_VALUE) {
            b.add(LongPoint.newRangeQuery(EventDocs.TIME, fromMs, toMs - 1), BooleanClause.Occur.FILTER);
        }
        Batch pair;
        IndexSearcher live;
        swap.readLock().lock();
        try {
            pair = batch;
            if (pair.reader() != null) {
                pair.reader().incRef();
            }
            try {
                live = searchers.acquire();
            } catch (IOException | RuntimeException e) {
                if (pair.reader() != null) {
                    decRef(pair.reader());
                }
                throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
            }
        } finally {
            swap.readLock().unlock();
        }
        try {
            Query visible = EventDocs.visible(pair.boundary());
            if (visible != null) {
                b.add(visible, BooleanClause.Occur.FILTER);
            }
            IndexReader reader = pair.reader() == null ? live.getIndexReader()
                    : new MultiReader(new IndexReader[] {pair.reader(), live.getIndexReader()}, false);
            try {
                IndexSearcher searcher = new IndexSearcher(reader);
                TopDocs top = searcher.search(b.build(),
                        new TopScoreDocCollectorManager(limit, null, Integer.MAX_VALUE));
                StoredFields stored = searcher.storedFields();
                List<SearchResult.Hit> hits = new ArrayList<>(top.scoreDocs.length);
                for (ScoreDoc sd : top.scoreDocs) {
                    hits.add(new SearchResult.Hit(sd.score, docs.fields(stored.document(sd.doc))));
                }
                return new SearchResult(top.totalHits.value, hits);
            } finally {
                if (reader != live.getIndexReader()) {
                    reader.close();
                }
            }
        } catch (IndexSearcher.TooManyClauses e) {
            throw SearchException.badRequest("q: \"" + q + "\" expands to more than "
                    + IndexSearcher.getMaxClauseCount() + " terms; make it narrower");
        } catch (IOException e) {
            throw new UncheckedIOException("search index " + def.name() + " cannot be read", e);
        } finally {
            release(live);
            if (pair.reader() != null) {
                decRef(pair.reader());
            }
        }
    }

    /**
     * Lucene's classic syntax over the indexed fields; a field the index does not search is an error, and so is a
     * query too large for Lucene to build.
     */
    private Query parse(String q) {
        Query query;
        try {
            query = new MultiFieldQueryParser(fields, analyzer).parse(q);
        } catch (ParseException e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage().strip();
            int line = message.indexOf('\n');
            throw SearchException.badRequest("q: " + (line < 0 ? message : message.substring(0, line)));
        } catch (IndexSearcher.TooManyClauses e) {
            throw SearchException.badRequest("q: \"" + q + "\" has more than " + IndexSearcher.getMaxClauseCount()
                    + " clauses");
        } catch (IllegalArgumentException | TooComplexToDeterminizeException e) {
            // a regular expression or wildcard whose automaton Lucene refuses to build ("/[a-z]{0,9999}/")
            throw SearchException.badRequest("q: too complex to search (" + e.getMessage() + "); make the regular "
                    + "expression or wildcard simpler");
        }
        Set<String> used = new TreeSet<>();
        query.visit(new QueryVisitor() {
            @Override
            public boolean acceptField(String field) {
                used.add(field);
                return true;
            }
        });
        used.removeAll(def.fields());
        if (!used.isEmpty()) {
            throw SearchException.badRequest("q: field '" + used.iterator().next() + "' is not searched by index '"
                    + def.name() + "' (its fields: " + String.join(", ", def.fields()) + ")");
        }
        return query;
    }

    private void release(IndexSearcher s) {
        try {
            searchers.release(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void decRef(IndexReader r) {
        try {
            r.decRef();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- closing ------------------------------------------------------------------------------------------------

    /** Stops a rebuild in progress at its next row; the indexing thread goes on until the queue is empty. */
    void stopping() {
        closed = true;
    }

    /** Indexes what is queued, commits, and releases the files. Call once the hot path has stopped. */
    @Override
    public void close() throws IOException {
        closed = true;
        try {
            indexer.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reopener.close();
        commit();
        searchers.close();
        realtime.close();
        realtimeDir.close();
        swap.writeLock().lock();
        try {
            if (batch.reader() != null) {
                batch.reader().decRef();
            }
            batch = Batch.NONE;
        } finally {
            swap.writeLock().unlock();
        }
        analyzer.close();
    }

    static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
