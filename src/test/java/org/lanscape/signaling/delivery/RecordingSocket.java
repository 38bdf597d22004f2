package org.lanscape.signaling.delivery;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.lanscape.signaling.session.Peer;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A socket that records every message written to it (parts joined), and counts writes running at
 * once. It answers no ping: the test registries' send window is too large to need one.
 */
public class RecordingSocket implements PeerSocket {
    private final List<String> frames = new ArrayList<>();
    private final StringBuilder parts = new StringBuilder();
    public final List<Long> pings = new ArrayList<>();
    public final AtomicInteger inFlight = new AtomicInteger();
    public final AtomicInteger maxInFlight = new AtomicInteger();
    public volatile int closedWith;

    @Override
    public void send(String frame) {
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        synchronized (frames) {
            frames.add(frame);
        }
        inFlight.decrementAndGet();
    }

    @Override
    public void sendPart(String part, boolean last) {
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        synchronized (frames) {
            parts.append(part);
            if (last) {
                frames.add(parts.toString());
                parts.setLength(0);
            }
        }
        inFlight.decrementAndGet();
    }

    @Override
    public void ping(long data) {
        synchronized (frames) {
            pings.add(data);
        }
    }

    @Override
    public void close(int code, String reason) {
        closedWith = code;
    }

    /** The client answers the last ping it got; false if there was none or it was not this server's latest. */
    public boolean pong(Peer peer) {
        long data;
        synchronized (frames) {
            if (pings.isEmpty()) {
                return false;
            }
            data = pings.get(pings.size() - 1);
        }
        return peer.pong(java.nio.ByteBuffer.allocate(Long.BYTES).putLong(0, data));
    }

    public List<String> texts() {
        synchronized (frames) {
            return new ArrayList<>(frames);
        }
    }

    public int sentCount() {
        synchronized (frames) {
            return frames.size();
        }
    }

    public List<JsonObject> messages() {
        synchronized (frames) {
            return frames.stream().map(f -> Json.createReader(new StringReader(f)).readObject()).toList();
        }
    }
}
