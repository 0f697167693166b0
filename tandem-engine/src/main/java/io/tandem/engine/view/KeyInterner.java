package io.tandem.engine.view;

import io.tandem.core.FieldType;
import io.tandem.core.GroupKey;
import io.tandem.core.codec.BinaryRow;
import io.tandem.spi.view.CompiledView;

import java.util.Arrays;

/**
 * The group keys one hot-path thread has seen for one view, found by the raw bytes of an event's group-by fields
 * ({@link BinaryRow#copyRaw}). An event of a known group costs no allocation: no string is decoded and no key is
 * built, and as each group has one {@link GroupKey} instance, the maps keyed by it find it by identity. An open
 * addressing table with linear probing; it starts over when it holds {@value #MAX_ENTRIES} groups.
 *
 * <p>It pays only where decoding is dear and groups repeat: for a view without a string dimension it is not used,
 * and when more than a quarter of the events of a window of {@value #WINDOW} are new groups (many groups, each
 * met a few times), it steps aside for the next {@value #PAUSE_WINDOWS} windows and then tries again. Not
 * thread-safe: one per thread.
 */
public final class KeyInterner {

    static final int MAX_ENTRIES = 1 << 20;
    static final int WINDOW = 1 << 16;
    static final int PAUSE_WINDOWS = 16;

    private final CompiledView view;
    private final int[] dims;
    private byte[] scratch = new byte[64];
    private byte[][] raws;
    private GroupKey[] keys;
    private int[] hashes;
    private int size;
    private final boolean decodesStrings;
    private int lookups;
    private int misses;
    private int pausedWindows;

    public KeyInterner(CompiledView view) {
        this.view = view;
        this.dims = view.dims();
        boolean strings = false;
        for (int i = 0; i < dims.length; i++) {
            strings |= view.dimType(i) == FieldType.STRING;
        }
        this.decodesStrings = strings;
        clear(1 << 10);
    }

    /** Whether the last window's events used the table (false while it steps aside); for tests. */
    boolean interning() {
        return decodesStrings && pausedWindows == 0;
    }

    /** The group-by values of the event, as the instance this interner holds for them. */
    public GroupKey keyOf(BinaryRow row) {
        if (dims.length == 0) {
            return GroupKey.EMPTY;
        }
        if (!decodesStrings) {
            return view.keyOf(row);
        }
        if (++lookups == WINDOW) {
            endWindow();
        }
        if (pausedWindows > 0) {
            return view.keyOf(row);
        }
        int need = 0;
        for (int f : dims) {
            need += row.rawLength(f);
        }
        if (need > scratch.length) {
            scratch = new byte[Math.max(need, scratch.length * 2)];
        }
        int len = 0;
        for (int f : dims) {
            len = row.copyRaw(f, scratch, len);
        }
        int hash = hash(scratch, len);
        int mask = raws.length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            byte[] raw = raws[i];
            if (raw == null) {
                return add(i, hash, len, row);
            }
            if (hashes[i] == hash && Arrays.equals(raw, 0, raw.length, scratch, 0, len)) {
                return keys[i];
            }
        }
    }

    private void endWindow() {
        if (pausedWindows > 0) {
            pausedWindows--;
        } else if (misses > WINDOW / 4) {
            pausedWindows = PAUSE_WINDOWS;
            clear(1 << 10);
        }
        lookups = 0;
        misses = 0;
    }

    private GroupKey add(int slot, int hash, int len, BinaryRow row) {
        misses++;
        GroupKey key = view.keyOf(row);
        if (size >= MAX_ENTRIES) {
            clear(raws.length);
            return key;
        }
        if ((size + 1) * 2 > raws.length) {
            grow();
            int mask = raws.length - 1;
            slot = hash & mask;
            while (raws[slot] != null) {
                slot = (slot + 1) & mask;
            }
        }
        raws[slot] = Arrays.copyOf(scratch, len);
        keys[slot] = key;
        hashes[slot] = hash;
        size++;
        return key;
    }

    private void grow() {
        byte[][] oldRaws = raws;
        GroupKey[] oldKeys = keys;
        int[] oldHashes = hashes;
        clear(oldRaws.length * 2);
        int mask = raws.length - 1;
        for (int j = 0; j < oldRaws.length; j++) {
            if (oldRaws[j] != null) {
                int i = oldHashes[j] & mask;
                while (raws[i] != null) {
                    i = (i + 1) & mask;
                }
                raws[i] = oldRaws[j];
                keys[i] = oldKeys[j];
                hashes[i] = oldHashes[j];
                size++;
            }
        }
    }

    private void clear(int capacity) {
        raws = new byte[capacity][];
        keys = new GroupKey[capacity];
        hashes = new int[capacity];
        size = 0;
    }

    /** FNV-1a over the bytes, then a murmur3 finaliser, so that the low bits spread. */
    private static int hash(byte[] b, int len) {
        int h = 0x811C9DC5;
        for (int i = 0; i < len; i++) {
            h = (h ^ b[i]) * 0x01000193;
        }
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        return h ^ (h >>> 16);
    }
}
