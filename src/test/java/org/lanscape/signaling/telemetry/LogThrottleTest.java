package org.lanscape.signaling.telemetry;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a client can cause at will is logged a few times per reason and interval, the rest counted. */
class LogThrottleTest {

    @Test
    void aFloodOfOneReasonLogsAFewLinesAndCountsTheRest() {
        AtomicLong clock = new AtomicLong(1_000);
        LogThrottle throttle = new LogThrottle(10, 5_000, clock::get);
        Logger log = Logger.getLogger("log-throttle-test-" + System.nanoTime());
        log.setUseParentHandlers(false);
        List<String> lines = new ArrayList<>();
        log.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
        for (int i = 0; i < 1_000; i++) {
            throttle.info(log, "binary-frame", () -> "closing peer: binary frame");
        }
        throttle.info(log, "message-too-big", () -> "closing peer: message too big");
        assertEquals(11, lines.size(), "ten of the flood, and the other reason's line");
        clock.addAndGet(5_000);
        throttle.info(log, "binary-frame", () -> "closing peer: binary frame");
        assertEquals(12, lines.size());
        assertTrue(lines.get(11).endsWith("(and 990 more like it not logged before this one)"), lines.get(11));
    }
}
