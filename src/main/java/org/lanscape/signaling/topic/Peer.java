package org.lanscape.signaling.topic;

import jakarta.json.JsonValue;
import org.lanscape.signaling.protocol.PeerRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

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
    private volatile String requestId;
    /** The connection's socket; null while the peer is away (suspended, waiting to be resumed). */
    private volatile PeerSocket socket;
    /** Completion of sends on the current socket; a late completion from an earlier socket is ignored. */
    private volatile PeerSocket.SendCallback onSent;
    private final TopicObserver observer;
    private final ArrayBlockingQueue<Frame> queue;
    /**
     * Frames that go out before anything queued: a new connection's welcome, peer-list and the
     * relays held for it, so that nothing offered meanwhile overtakes them. Guarded by this.
     */
    private final java.util.ArrayDeque<Frame> first = new java.util.ArrayDeque<>(2);
    private final int capacity;
    /**
     * The socket with a send (or ping) in flight, null when none is: at most one at a time, and
     * only claimed on the current socket. Guarded by this; volatile for {@link #isIdle}.
     */
    private volatile PeerSocket inFlightOn;
    /** System.nanoTime() when the connection was lost, while the peer waits to be resumed; 0 otherwise. */
    private volatile long suspendedAt;
    /** A send failed: nothing more goes to this socket; the connection's close decides what follows. */
    private volatile boolean broken;
    private volatile long brokenAt;
    private volatile String resumeToken;
    /** The node this peer's session moved to (its client resumed there); null while it is here. */
    private volatile String movedTo;

    private volatile boolean closed;
    private volatile boolean pingRequested;
    /** System.nanoTime() when the send in flight started; 0 when none is in flight. */
    private volatile long sendStartedAt;
    private volatile long lastSeenAt;
    private volatile long lastPingAt;
    /** The thread inside socket.send, so that a completion it reports inline does not recurse. */
    private volatile Thread sendingThread;
    private boolean completedInline; // only touched by sendingThread

    /** Relays sent on the current connection, for a resume that says what it received; null when off. */
    private final SentLog sentLog;

    public Peer(String id, String topic, JsonValue metadata, String requestId, PeerSocket socket,
                TopicObserver observer, int queueCapacity) {
        this(id, topic, metadata, requestId, socket, observer, queueCapacity, 0);
    }

    /** @param replayChars how much of the relays sent lately to keep for a resume (characters); 0 for none */
    public Peer(String id, String topic, JsonValue metadata, String requestId, PeerSocket socket,
                TopicObserver observer, int queueCapacity, int replayChars) {
        this.sentLog = replayChars > 0 ? new SentLog(replayChars) : null;
        this.id = id;
        this.topic = topic;
        this.metadata = metadata;
        this.requestId = requestId;
        this.observer = observer;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.capacity = queueCapacity;
        use(socket);
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
        if (closed) {
            return false;
        }
        if (suspendedAt != 0) {
            return offerWhileAway(frame);
        }
        if (!queue.offer(frame)) {
            return false;
        }
        if (suspendedAt != 0) {
            return settleAfterSuspend(frame);
        }
        drain();
        return true;
    }

    /** Enqueues a frame, waiting at most {@code timeoutNanos} for room; false if none came or the peer closed. */
    public boolean offer(Frame frame, long timeoutNanos) {
        if (closed) {
            return false;
        }
        if (suspendedAt != 0) {
            return offerWhileAway(frame); // no waiting: nothing drains the queue until it comes back
        }
        try {
            if (!queue.offer(frame, timeoutNanos, TimeUnit.NANOSECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (suspendedAt != 0) {
            return settleAfterSuspend(frame);
        }
        drain();
        return !closed;
    }

    /**
     * The connection was lost while this frame was being queued. Either {@link #suspend}'s side
     * (a resume or a hand-over) has taken it with the held frames already, or it is still in the
     * queue and goes the way of frames offered while away (refused after a hand-over, so that the
     * caller sends it on to the peer's new node).
     */
    private synchronized boolean settleAfterSuspend(Frame frame) {
        if (!queue.remove(frame)) {
            return true;
        }
        return offerWhileAway(frame);
    }

    /** Nothing queued and nothing in flight. */
    public synchronized boolean isIdle() {
        return suspendedAt != 0 || queue.isEmpty() && first.isEmpty() && inFlightOn == null;
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
     * While the peer is away, frames wait in its queue (two places are kept for the welcome and
     * peer-list of its return). Synchronised with {@link #resume}, so none slips between the
     * frames held and the ones that come after the return.
     */
    private synchronized boolean offerWhileAway(Frame frame) {
        if (suspendedAt == 0) {
            return offer(frame); // it came back meanwhile
        }
        return !closed && queue.size() < capacity - 2 && queue.offer(frame);
    }

    /** The connection was lost: keep the peer (and what is sent to it) for a resume. */
    public synchronized void suspend(long now) {
        suspendedAt = now;
        socket = null;
        onSent = null;
    }

    /**
     * Forgets the relays sent on a live connection before that time (nanoTime): the watchdog calls
     * it with two ping intervals ago, since a connection that lost them would have been found dead
     * by then (and a held peer keeps its log). Keeps an idle peer from holding its last relays.
     */
    public void forgetSentBefore(long before) {
        if (sentLog == null || suspendedAt != 0) {
            return;
        }
        synchronized (this) {
            if (suspendedAt == 0 && !sentLog.isEmpty()) {
                sentLog.forget(before);
            }
        }
    }

    /** The server gives up on the connection: keep the peer for a resume and close the socket with that code. */
    public void suspendAndClose(long now, int code, String reason) {
        PeerSocket old;
        synchronized (this) {
            old = socket;
            suspend(now);
        }
        if (old != null) {
            old.close(code, reason);
        }
    }

    /** How long ago a send failed on the current connection; 0 if none did. */
    public long brokenFor(long now) {
        return broken ? now - brokenAt : 0;
    }

    /** True while that socket is this peer's connection (not an older, lost one). */
    public boolean isCurrent(PeerSocket candidate) {
        return socket == candidate;
    }

    public boolean isSuspended() {
        return suspendedAt != 0;
    }

    public long suspendedAt() {
        return suspendedAt;
    }

    /**
     * Back on a new connection: welcome and the current peer-list first, then the relays the old
     * connection lost after the client's {@code received}-th frame (negative: it did not say),
     * then the relays held while away, in order (membership events of the gap are replaced by the
     * fresh peer-list).
     */
    public synchronized void resume(PeerSocket newSocket, String newRequestId, Frame welcome, Frame peerList, long now,
                                    long received) {
        List<Frame> relays = pendingRelays(received);
        first.add(welcome);
        first.add(peerList);
        first.addAll(relays);
        PeerSocket previous = socket; // still there if the old connection was not seen dropping yet
        requestId = newRequestId;
        lastSeenAt = now;
        lastPingAt = now;
        inFlightOn = null; // the last send on the lost socket may never report back
        sendStartedAt = 0;
        use(newSocket);
        if (previous != null) {
            previous.close(1001, "session resumed on another connection");
        }
        suspendedAt = 0;
        drain();
    }

    /**
     * The session moves to another node (its client resumed there). Under this peer's lock: the
     * relays held for it are taken and handed to {@code send} (which publishes them to the new
     * node), and only then is the peer marked as moved, so that whoever finds it moved and
     * forwards a relay to the new node does so after the hand-over. A connection still open here
     * is closed with 1001.
     */
    public synchronized void handOver(String toNode, long received, java.util.function.Consumer<List<String>> send) {
        if (suspendedAt == 0) {
            suspendedAt = System.nanoTime(); // from here on, offers are settled under this lock
        }
        PeerSocket old = socket;
        socket = null;
        onSent = null;
        List<String> relays = new ArrayList<>();
        for (Frame frame : pendingRelays(received)) {
            relays.add(frame.text());
        }
        send.accept(relays);
        movedTo = toNode;
        closed = true;
        if (old != null) {
            old.close(1001, "session resumed on another node");
        }
    }

    /**
     * For a resume: the relays lost with the old connection (see {@link SentLog}) then those held
     * in the queue, which it empties; membership events are left out (a fresh peer-list replaces
     * them). At most what the queue holds beside welcome and peer-list: beyond, the oldest go.
     */
    private List<Frame> pendingRelays(long received) {
        List<Frame> relays = sentLog == null ? new ArrayList<>() : sentLog.restart(received);
        List<Frame> held = new ArrayList<>(first);
        first.clear();
        queue.drainTo(held);
        for (Frame frame : held) {
            if (frame.receivedAt() != 0) {
                relays.add(frame);
            }
        }
        int room = capacity - 2;
        return relays.size() <= room ? relays : relays.subList(relays.size() - room, relays.size());
    }

    /** The node this peer's session moved to, or null while it is on this one. */
    public String movedTo() {
        return movedTo;
    }

    /**
     * A session handed over by another node starts here: these frames go out first, whatever is
     * offered meanwhile. Called before the peer can be found by anyone else.
     */
    public synchronized void startWith(List<Frame> frames) {
        first.addAll(frames);
        drain();
    }

    /** The token that resumes this peer's session; replaced at every resume. */
    public String resumeToken() {
        return resumeToken;
    }

    public void resumeToken(String token) {
        resumeToken = token;
    }

    private void use(PeerSocket newSocket) {
        broken = false;
        socket = newSocket;
        onSent = newSocket == null ? null : failure -> sent(newSocket, failure);
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
        PeerSocket s = socket;
        if (s != null) {
            s.close(code, reason);
        }
        return true;
    }

    /**
     * Closes the socket on the caller's thread, waiting for the close frame to be written: for
     * shutdown, when nothing else will run afterwards. Drops whatever is still queued.
     */
    public void closeNow(int code, String reason) {
        closed = true;
        queue.clear();
        PeerSocket s = socket;
        if (s != null) {
            s.closeNow(code, reason);
        }
    }

    /**
     * Sends what is queued, one frame at a time. The socket, the queue and the claim are read
     * together under this peer's lock, so a frame is never taken for a connection that a resume
     * has just replaced; the send itself happens outside it.
     */
    private void drain() {
        while (true) {
            PeerSocket s;
            PeerSocket.SendCallback done;
            Frame next = null;
            long now = 0;
            synchronized (this) {
                s = socket;
                done = onSent;
                if (closed || broken || s == null || done == null || inFlightOn != null) {
                    return;
                }
                if (pingRequested) {
                    pingRequested = false;
                } else {
                    next = first.isEmpty() ? queue.poll() : first.poll();
                    if (next == null) {
                        return;
                    }
                    now = System.nanoTime();
                    if (sentLog != null) {
                        sentLog.sent(next, now);
                    }
                    sendStartedAt = now;
                }
                inFlightOn = s;
            }
            if (next == null) {
                try {
                    s.ping();
                } catch (RuntimeException e) {
                    // A ping that cannot be sent is what the liveness check is there to notice.
                }
                release(s);
                continue;
            }
            if (next.receivedAt() != 0) {
                observer.handedOff(now - next.receivedAt());
            }
            completedInline = false;
            sendingThread = Thread.currentThread();
            s.send(next.text(), done);
            sendingThread = null;
            if (!completedInline) {
                return; // the completion will come on another thread and drain from there
            }
        }
    }

    private synchronized void release(PeerSocket s) {
        if (inFlightOn == s) {
            inFlightOn = null;
        }
    }

    private void sent(PeerSocket from, Throwable failure) {
        if (from != socket) {
            return; // a late completion from a lost connection: the peer has moved on
        }
        sendStartedAt = 0;
        if (failure != null) {
            brokenAt = System.nanoTime();
            broken = true; // the close that follows suspends the peer (resume) or lets it leave
        }
        release(from);
        if (sendingThread == Thread.currentThread()) {
            completedInline = true; // the drain loop below us on this stack carries on
            return;
        }
        drain();
    }
}
