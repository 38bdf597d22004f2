package org.lanscape.signaling.delivery;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The threads every outbox writes on; nobody else writes to a connection. A write never has to
 * wait (the send window keeps it within the socket's buffer), yet on Liberty a blocking write can
 * wait for good: when the client's connection closes while it runs, the TCP channel finds the
 * connection closed, queues nothing and wakes no one (an asynchronous write is lost the same way,
 * and the close that follows then waits for it forever, on a thread of the runtime's). Written
 * from the thread that had the frame, such a write would take that thread with it: a relay's
 * sender would read nothing more, the watchdog would stop. Here it holds one writer thread, whose
 * connection is gone anyway: a write under way for longer than {@link #HELD_AFTER_NANOS} counts as
 * held, and the pool grows by one for each held write so that the others keep their threads.
 */
public final class WriterThreads implements Executor {

    /** A write within the window returns in microseconds; this is far beyond any pause of the JVM. */
    static final long HELD_AFTER_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final Logger LOG = Logger.getLogger(WriterThreads.class.getName());

    private final int threads;
    private final ThreadPoolExecutor pool;
    private final ScheduledExecutorService guard;
    /** Every writer thread the pool made (those that ended are dropped at the next sweep). */
    private final Set<Writer> made = ConcurrentHashMap.newKeySet();
    private volatile int held;

    /** A writer thread, with when its write under way began (nanoTime; 0 when none). */
    private static final class Writer extends Thread {
        volatile long writeStartedAt;

        Writer(Runnable runnable) {
            super(runnable, "signaling-writer");
            setDaemon(true);
        }
    }

    /** Writes on the thread that flushes (tests): no pool, no guard. */
    public static WriterThreads inline() {
        return new WriterThreads();
    }

    private WriterThreads() {
        this.threads = 0;
        this.pool = null;
        this.guard = null;
    }

    public WriterThreads(int threads) {
        this.threads = threads;
        this.pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
            Writer writer = new Writer(runnable);
            made.add(writer);
            return writer;
        });
        this.guard = Executors.newSingleThreadScheduledExecutor(daemon("signaling-writer-guard"));
        guard.scheduleWithFixedDelay(() -> sweep(System.nanoTime()), 1, 1, TimeUnit.SECONDS);
    }

    @Override
    public void execute(Runnable pump) {
        if (pool == null) {
            pump.run();
        } else {
            pool.execute(pump);
        }
    }

    /** Runs one write on this (writer) thread, counted as under way meanwhile. */
    public Throwable write(Supplier<Throwable> write) {
        if (!(Thread.currentThread() instanceof Writer self)) {
            return write.get(); // inline (tests)
        }
        self.writeStartedAt = System.nanoTime() | 1;
        try {
            return write.get();
        } finally {
            self.writeStartedAt = 0;
        }
    }

    /** Counts the writes held past the limit and keeps as many free threads as the pool was given. */
    public int sweep(long now) {
        int count = 0;
        made.removeIf(writer -> !writer.isAlive());
        for (Writer writer : made) {
            long started = writer.writeStartedAt;
            if (started != 0 && now - started > HELD_AFTER_NANOS) {
                count++;
            }
        }
        if (count != held) {
            int before = held;
            held = count;
            pool.setMaximumPoolSize(Math.max(pool.getMaximumPoolSize(), threads + count));
            pool.setCorePoolSize(threads + count);
            pool.setMaximumPoolSize(threads + count);
            if (count > before) {
                int n = count;
                LOG.warning(() -> n + " writer threads are held in writes that do not return (clients that vanished"
                        + " while they were written to); the pool has " + (threads + n) + " threads");
            }
        }
        return count;
    }

    /** Writes held past the limit at the last sweep, for /debug/stats and the metrics. */
    public int held() {
        return held;
    }

    public void stop() {
        if (pool != null) {
            guard.shutdownNow();
            pool.shutdownNow();
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) { // the guard's
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
