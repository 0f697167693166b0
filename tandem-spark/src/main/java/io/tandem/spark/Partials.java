package io.tandem.spark;

import io.tandem.core.GroupKey;
import io.tandem.core.Measure;
import io.tandem.core.Row;
import io.tandem.spi.view.CompiledView;
import io.tandem.spi.view.GroupKeys;
import org.apache.spark.api.java.function.MapGroupsFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import scala.Tuple2;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The groups' accumulators as they travel between Spark's tasks and to the driver: a (key, accumulators) pair of
 * byte arrays per group, in the binary forms the batch view files use ({@link GroupKeys}, each measure's
 * {@link Measure#write}):
 * <pre>
 * key:          +-----------------------+---------------------+----------------------------------------------+
 *               | bucket: i64 BE, ms    | dims: GroupKeys     | epoch: i64 BE ({@code Long.MIN_VALUE}: all)   |
 *               +-----------------------+---------------------+----------------------------------------------+
 * accumulators: +--------------------------------------------------------------------------------------------+
 *               | each measure's accumulator in the view's order, in its own binary form (Measure.write)     |
 *               +--------------------------------------------------------------------------------------------+
 * </pre>
 * Spark groups the pairs by the key's bytes, which are equal exactly when the groups are: {@link GroupKeys} writes
 * -0.0 and 0.0 apart, as {@link GroupKey} holds them apart.
 */
final class Partials {

    private Partials() {
    }

    /** One group of a view: dims, bucket and epoch ({@link Long#MIN_VALUE} when not by epoch). */
    record Group(GroupKey dims, long bucket, long epoch) {
    }

    /**
     * A task's partial aggregates: each row of its partition that passes the view's condition
     * ({@link CompiledView#accepts}) goes into its group's accumulators by the view's own measures
     * ({@link CompiledView#add}), as on the hot path; then one pair per group.
     */
    record Aggregate(ViewSpec spec, LakeRow.Layout layout, boolean byEpoch)
            implements MapPartitionsFunction<org.apache.spark.sql.Row, Tuple2<byte[], byte[]>> {

        @Override
        public Iterator<Tuple2<byte[], byte[]>> call(Iterator<org.apache.spark.sql.Row> rows) {
            CompiledView view = spec.compiled();
            LakeRow reader = new LakeRow(layout);
            Map<Group, Object[]> groups = new HashMap<>();
            while (rows.hasNext()) {
                org.apache.spark.sql.Row r = rows.next();
                Row row = reader.read(r);
                if (!view.accepts(row)) {
                    continue;
                }
                Group group = new Group(view.keyOf(row), view.bucketOf(row),
                        byEpoch ? reader.epoch(r) : Long.MIN_VALUE);
                view.add(groups.computeIfAbsent(group, g -> view.createAccumulators()), row);
            }
            Iterator<Map.Entry<Group, Object[]>> entries = groups.entrySet().iterator();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return entries.hasNext();
                }

                @Override
                public Tuple2<byte[], byte[]> next() {
                    Map.Entry<Group, Object[]> e = entries.next();
                    entries.remove();
                    return new Tuple2<>(key(e.getKey()), accumulators(view, e.getValue()));
                }
            };
        }
    }

    /** Merges the partial aggregates of one group, by the view's own merge, into one pair. */
    record Merge(ViewSpec spec)
            implements MapGroupsFunction<byte[], Tuple2<byte[], byte[]>, Tuple2<byte[], byte[]>> {

        @Override
        public Tuple2<byte[], byte[]> call(byte[] key, Iterator<Tuple2<byte[], byte[]>> partials) {
            CompiledView view = spec.compiled();
            byte[] first = partials.next()._2();
            if (!partials.hasNext()) {
                return new Tuple2<>(key, first);
            }
            Object[] accs = accumulators(view, first);
            while (partials.hasNext()) {
                view.merge(accs, accumulators(view, partials.next()._2()));
            }
            return new Tuple2<>(key, accumulators(view, accs));
        }
    }

    static byte[] key(Group group) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            out.writeLong(group.bucket());
            GroupKeys.write(group.dims(), out);
            out.writeLong(group.epoch());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Group group(byte[] key) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(key));
        long bucket = in.readLong();
        GroupKey dims = GroupKeys.read(in);
        long epoch = in.readLong();
        requireEnd(in, "group key");
        return new Group(dims, bucket, epoch);
    }

    static byte[] accumulators(CompiledView view, Object[] accs) {
        Measure<Object>[] measures = view.measures();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            for (int i = 0; i < measures.length; i++) {
                measures[i].write(accs[i], out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** @throws UncheckedIOException when the bytes are not accumulators of the view's measures */
    static Object[] accumulators(CompiledView view, byte[] bytes) {
        Measure<Object>[] measures = view.measures();
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        Object[] accs = new Object[measures.length];
        try {
            for (int i = 0; i < measures.length; i++) {
                accs[i] = measures[i].read(in);
            }
            requireEnd(in, "accumulators of view '" + view.name() + "'");
        } catch (IOException e) {
            throw new UncheckedIOException("bad accumulators of view '" + view.name() + "': " + e.getMessage(), e);
        }
        return accs;
    }

    private static void requireEnd(DataInputStream in, String what) throws IOException {
        if (in.available() > 0) {
            throw new EOFException(in.available() + " bytes past the end of the " + what);
        }
    }
}
