package io.tandem.engine.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A file channel that fails the Nth positional write or the Nth force of all channels sharing one {@link Faults},
 * or holds forces until released (after Tape's {@code BrokenRandomAccessFile}).
 */
final class FaultyChannel extends FileChannel {

    /** What to break, counted over every channel opened by {@link #opener}. */
    static final class Faults {
        final AtomicInteger writes = new AtomicInteger();
        final AtomicInteger forces = new AtomicInteger();
        /** 1-based number of the write that fails, 0 for none; it writes half its bytes first. */
        volatile int failWrite;
        /** What the failing write says, as the OS would (say "No space left on device"); null for a test's own. */
        volatile String failWriteMessage;
        /** 1-based number of the force that fails, 0 for none. */
        volatile int failForce;
        /** When set, every force waits for it after counting down {@link #forceEntered}. */
        volatile CountDownLatch forceGate;
        final CountDownLatch forceEntered = new CountDownLatch(1);

        ChannelOpener opener() {
            return (Path path, OpenOption... options) -> new FaultyChannel(FileChannel.open(path, options), this);
        }
    }

    private final FileChannel delegate;
    private final Faults faults;

    private FaultyChannel(FileChannel delegate, Faults faults) {
        this.delegate = delegate;
        this.faults = faults;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        if (faults.writes.incrementAndGet() == faults.failWrite) {
            ByteBuffer half = src.duplicate();
            half.limit(half.position() + half.remaining() / 2);
            delegate.write(half, position);
            String message = faults.failWriteMessage;
            throw new IOException(message != null ? message : "injected failure of write " + faults.failWrite);
        }
        return delegate.write(src, position);
    }

    @Override
    public void force(boolean metaData) throws IOException {
        CountDownLatch gate = faults.forceGate;
        if (gate != null) {
            faults.forceEntered.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted at the force gate", e);
            }
        }
        if (faults.forces.incrementAndGet() == faults.failForce) {
            throw new IOException("injected failure of force " + faults.failForce);
        }
        delegate.force(metaData);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return delegate.read(dst, position);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return delegate.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return delegate.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return delegate.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return delegate.write(srcs, offset, length);
    }

    @Override
    public long position() throws IOException {
        return delegate.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        delegate.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return delegate.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        delegate.truncate(size);
        return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return delegate.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        return delegate.transferFrom(src, position, count);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        return delegate.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return delegate.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return delegate.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        delegate.close();
    }
}
