package org.lanscape.signaling.lifecycle;

import org.junit.jupiter.api.Test;
import org.lanscape.signaling.config.SignalingConfig;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The window a stopping node's clients are asked to come back within (the 1012 close reason): it
 * grows with the node's sessions at signaling.shutdown.reconnect-rate, from 250 ms to half the
 * grace period, so that a large node's clients do not all come back in the same instant.
 */
class GracefulShutdownTest {

    private static GracefulShutdown shutdown(Duration grace) {
        GracefulShutdown shutdown = new GracefulShutdown();
        shutdown.config = new SignalingConfig(1 << 20, Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(30),
                65536).withResume(grace); // reconnect rate 1 000 a second
        return shutdown;
    }

    @Test
    void theReconnectWindowGrowsWithTheSessionsWithinItsBounds() {
        GracefulShutdown shutdown = shutdown(Duration.ofSeconds(15));
        assertEquals(250, shutdown.reconnectWindowMillis(12), "a small node: at once");
        assertEquals(2000, shutdown.reconnectWindowMillis(2000), "2 000 sessions at 1 000 a second");
        assertEquals(7500, shutdown.reconnectWindowMillis(20000), "at most half the grace period: they come back in time");
        assertEquals(250, shutdown(Duration.ofMillis(300)).reconnectWindowMillis(20000), "never under 250 ms");
    }
}
