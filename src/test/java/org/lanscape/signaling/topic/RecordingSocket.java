package org.lanscape.signaling.topic;

import jakarta.json.Json;
import jakarta.json.JsonObject;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A socket that records every frame and completes each send at once, on the caller's thread. */
class RecordingSocket implements PeerSocket {
    private final List<String> frames = new ArrayList<>();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    volatile int closedWith;

    @Override
    public void send(String frame, SendCallback done) {
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        synchronized (frames) {
            frames.add(frame);
        }
        inFlight.decrementAndGet();
        done.completed(null);
    }

    @Override
    public void ping() {
    }

    @Override
    public void close(int code, String reason) {
        closedWith = code;
    }

    List<JsonObject> messages() {
        synchronized (frames) {
            return frames.stream().map(f -> Json.createReader(new StringReader(f)).readObject()).toList();
        }
    }
}
