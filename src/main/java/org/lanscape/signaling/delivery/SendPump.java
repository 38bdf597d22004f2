package org.lanscape.signaling.delivery;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Runs one peer's writes on a writer thread, one after the other, while its {@link Flusher} has
 * one to make; never on the caller's thread (see {@link WriterThreads}). At most one pump runs per
 * connection: a pump of a connection that was replaced stops when its write returns.
 */
final class SendPump {

    private final ReentrantLock lock;
    private final Flusher flusher;
    private final WriterThreads writers;
    private final BooleanSupplier closed;
    /** A writer thread runs this connection's pump; guarded by the lock, reset with the connection. */
    private boolean pumping;

    /** @param lock the outbox's, held by whoever calls {@link #reset} */
    SendPump(ReentrantLock lock, Flusher flusher, WriterThreads writers, BooleanSupplier closed) {
        this.lock = lock;
        this.flusher = flusher;
        this.writers = writers;
        this.closed = closed;
    }

    /** Starts a pump unless one is at it for this connection already or nothing may go. */
    void flush() {
        lock.lock();
        try {
            if (pumping || closed.getAsBoolean() || !flusher.canWrite()) {
                return;
            }
            pumping = true;
        } finally {
            lock.unlock();
        }
        writers.execute(this::pump);
    }

    /** A new connection (under the lock): its writes get a pump of their own. */
    void reset() {
        pumping = false;
    }

    private void pump() {
        while (true) {
            Write next;
            lock.lock();
            try {
                next = closed.getAsBoolean() ? null : flusher.next();
                if (next == null) {
                    pumping = false;
                    return;
                }
            } finally {
                lock.unlock();
            }
            Throwable failure = writers.write(next::run);
            lock.lock();
            try {
                if (!flusher.finished(next, failure)) {
                    if (flusher.current(next)) {
                        pumping = false; // it failed: nothing more goes out on this connection
                    } // else: a connection that is gone; the new one has a pump of its own
                    return;
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
