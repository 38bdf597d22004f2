package org.lanscape.signaling.lifecycle;

import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;

/** Where the application is in its life: starting, ready, draining for shutdown. Drives readiness. */
@ApplicationScoped
public class ServerLifecycle {

    public enum State { STARTING, READY, DRAINING }

    private final Instant createdAt = Instant.now();
    private volatile State state = State.STARTING;
    private volatile Instant readyAt;

    public State state() {
        return state;
    }

    public boolean isReady() {
        return state == State.READY;
    }

    public boolean isDraining() {
        return state == State.DRAINING;
    }

    /** Startup finished: configuration checked, timers running. */
    public void ready() {
        if (state == State.STARTING) {
            readyAt = Instant.now();
            state = State.READY;
        }
    }

    /** Shutdown began: readiness goes DOWN and new connections are refused from now on. */
    public void drain() {
        state = State.DRAINING;
    }

    public boolean hasStarted() {
        return readyAt != null;
    }

    public Duration uptime() {
        return Duration.between(createdAt, Instant.now());
    }
}
