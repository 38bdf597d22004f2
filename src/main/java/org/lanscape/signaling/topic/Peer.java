package org.lanscape.signaling.topic;

import jakarta.json.JsonValue;
import org.lanscape.signaling.protocol.PeerRecord;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One connected peer: its identity and its bounded outbound queue of encoded frames, drained
 * through its socket with exactly one send in flight (the WebSocket API forbids two). Enqueueing
 * never blocks on the socket: {@link #offer(String)} gives up at once when the queue is full,
 * {@link #offer(String, long)} waits at most the given time for room.
 */
public final class Peer {

    private final String id;
    private final String topic;
    private final JsonValue metadata;
    private final String requestId;
    private final PeerSocket socket;
    private final TopicObserver observer;
    private final ArrayBlockingQueue<Frame> queue;
    private final AtomicBoolean sending = new AtomicBoolean();
    private final PeerSocket.SendCallback onSent = this::sent;

    private volatile boolean closed;
    private volatile boolean pingRequested;
    /** System.nanoTime() when the send in flight started; 0 when none is in flight. */
    private volatile long sendStartedAt;
    private volatile long lastSeenAt;
    private volatile long lastPingAt;
    /** The thread inside socket.send, so that a completion it reports inline does not recurse. */
    private volatile Thread sendingThread;
    private boolean completedInline; // only touched by sendingThread

    public Peer(String id, String topic, JsonValue metadata, String requestId, PeerSocket socket,
                TopicObserver observer, int queueCapacity) {
        this.id = id;
        this.topic = topic;
        this.metadata = metadata;
        this.requestId = requestId;
        this.socket = socket;
        this.observer = observer;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.lastSeenAt = System.nanoTime();
        this.lastPingAt = lastSeenAt;
    }

    public String id() {
        return id;
    }

    public String topic() {
        return topic;
    }

    public JsonValue metadata() {
        return metadata;
    }

    /** The request id of the connection's handshake, for logs and traces. */
    public String requestId() {
        return requestId;
    }

    /** "peer=... topic=... requestId=...": the context every log line about this peer carries. */
    public String logContext() {
        return "peer=" + id + " topic=" + topic + " requestId=" + requestId;
    }

    public PeerRecord record() {
        return new PeerRecord(id, metadata);
    }

    public boolean isClosed() {
        return closed;
    }

    /** Enqueues a frame if there is room now; false when the queue is full or the peer is closed. */
    public boolean offer(Frame frame) {
        if (closed || !queue.offer(frame)) {
            return false;
        }
        drain();
        return true;
    }

    /** Enqueues a frame, waiting at most {@code timeoutNanos} for room; false if none came or the peer closed. */
    public boolean offer(Frame frame, long timeoutNanos) {
        if (closed) {
            return false;
        }
        try {
            if (!queue.offer(frame, timeoutNanos, TimeUnit.NANOSECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        drain();
        return !closed;
    }

    /** Nothing queued and nothing in flight. */
    public boolean isIdle() {
        return queue.isEmpty() && !sending.get();
    }

    /** Frames waiting to be sent, not counting the one in flight. */
    public int queued() {
        return queue.size();
    }

    /** Records that something (a message, a pong) arrived from this peer. */
    public void seen(long now) {
        lastSeenAt = now;
    }

    public long lastSeenAt() {
        return lastSeenAt;
    }

    public long lastPingAt() {
        return lastPingAt;
    }

    /** How long the send in flight has been running, in nanoseconds; 0 when none is. */
    public long sendStalledFor(long now) {
        long started = sendStartedAt;
        return started == 0 ? 0 : now - started;
    }

    /** Sends a ping as soon as no frame is in flight (a ping jumps the queue). */
    public void ping(long now) {
        lastPingAt = now;
        pingRequested = true;
        drain();
    }

    /**
     * The connection is already closing (the client closed it, or it failed): stop sending and
     * drop what is queued, without touching the socket. Closing it again would park a container
     * thread in Liberty until the close handshake completes, for every connection that goes.
     */
    public void detach() {
        closed = true;
        queue.clear();
    }

    /** Stops sending, drops what is queued and closes the socket; returns false if already closed. */
    public boolean close(int code, String reason) {
        if (closed) {
            return false;
        }
        closed = true;
        queue.clear();
        socket.close(code, reason);
        return true;
    }

    /**
     * Closes the socket on the caller's thread, waiting for the close frame to be written: for
     * shutdown, when nothing else will run afterwards. Drops whatever is still queued.
     */
    public void closeNow(int code, String reason) {
        closed = true;
        queue.clear();
        socket.closeNow(code, reason);
    }

    private void drain() {
        while (!closed && sending.compareAndSet(false, true)) {
            if (pingRequested) {
                pingRequested = false;
                try {
                    socket.ping();
                } catch (RuntimeException e) {
                    // A ping that cannot be sent is what the liveness check is there to notice.
                }
                sending.set(false);
                continue;
            }
            Frame next = queue.poll();
            if (next == null) {
                sending.set(false);
                if (queue.isEmpty() && !pingRequested) {
                    return;
                }
                continue; // something arrived between poll and release: send it
            }
            long now = System.nanoTime();
            if (next.receivedAt() != 0) {
                observer.handedOff(now - next.receivedAt());
            }
            sendStartedAt = now;
            completedInline = false;
            sendingThread = Thread.currentThread();
            socket.send(next.text(), onSent);
            sendingThread = null;
            if (!completedInline) {
                return; // the completion will come on another thread and drain from there
            }
        }
    }

    private void sent(Throwable failure) {
        sendStartedAt = 0;
        if (failure != null) {
            closed = true;
            queue.clear();
        }
        if (sendingThread == Thread.currentThread()) {
            completedInline = true; // the drain loop below us on this stack carries on
            sending.set(false);
            return;
        }
        sending.set(false);
        drain();
    }
}
