package org.lanscape.signaling.telemetry;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Lines that clients can cause at will (a bad frame, a flood, a refused handshake, a slow
 * consumer, a timeout), logged at most {@code lines} times per reason in each interval: the others
 * are counted, and the count goes with the next line of that reason. A log flood on demand would
 * be an attack of its own; the metrics count every one of them anyway.
 */
public final class LogThrottle {

    /** Ten lines per reason every ten seconds. */
    public static final LogThrottle SHARED = new LogThrottle(10, TimeUnit.SECONDS.toNanos(10), System::nanoTime);

    private final int lines;
    private final long intervalNanos;
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        long start;
        int logged;
        long suppressed;
    }

    public LogThrottle(int lines, long intervalNanos, LongSupplier clock) {
        this.lines = lines;
        this.intervalNanos = intervalNanos;
        this.clock = clock;
    }

    public void info(Logger log, String reason, Supplier<String> line) {
        log(log, Level.INFO, reason, line);
    }

    /** Logs the line unless its reason used up its lines in this interval. */
    public void log(Logger log, Level level, String reason, Supplier<String> line) {
        if (!log.isLoggable(level)) {
            return;
        }
        Window window = windows.computeIfAbsent(reason, r -> new Window());
        long suppressed;
        synchronized (window) {
            long now = clock.getAsLong();
            if (window.logged == 0 || now - window.start >= intervalNanos) {
                window.start = now;
                window.logged = 0;
            }
            if (window.logged >= lines) {
                window.suppressed++;
                return;
            }
            window.logged++;
            suppressed = window.suppressed;
            window.suppressed = 0;
        }
        log.log(level, suppressed == 0 ? line
                : () -> line.get() + " (and " + suppressed + " more like it not logged before this one)");
    }
}
