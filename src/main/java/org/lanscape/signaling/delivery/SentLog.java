package org.lanscape.signaling.delivery;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * What was sent on one connection, for a resume: the number of text frames handed to the socket
 * (welcome is 1) and the last relays among them, within a budget of bytes (UTF-8, as on the wire)
 * and within the node's budget for all logs together: when that is full, a log gives up its own
 * oldest relays first, and keeps none rather than pass it (the replay is best effort: a relay
 * written before the client's last pong is never needed again). A client that comes back saying
 * it received n frames gets the relays after the n-th again: those the lost connection swallowed
 * after the server had written them. Guarded by its {@link Outbox}'s lock.
 */
public final class SentLog {

    private record Sent(long number, Frame frame, long at) {
    }

    private final int budget;
    private final NodeQueueBudget node;
    private final ArrayDeque<Sent> relays = new ArrayDeque<>(4);
    private long count;
    private long bytes;

    SentLog(int budgetBytes, NodeQueueBudget node) {
        this.budget = budgetBytes;
        this.node = node;
    }

    /** A frame is being handed to the current connection's socket, at {@code now} (nanoTime). */
    void sent(Frame frame, long now) {
        count++;
        if (budget == 0 || !frame.isKept()) {
            return; // only relays and replies are replayed: membership is replaced by a fresh peer-list
        }
        while (!node.tryTake(frame.bytes())) {
            if (relays.isEmpty()) {
                return; // the node's logs are full: this one is not kept
            }
            dropFirst();
        }
        relays.addLast(new Sent(count, frame, now));
        bytes += frame.bytes();
        while (bytes > budget && !relays.isEmpty()) {
            dropFirst();
        }
    }

    /** Drops the relays sent before that time (nanoTime). */
    void forget(long before) {
        while (!relays.isEmpty() && relays.peekFirst().at() - before < 0) {
            dropFirst();
        }
    }

    private void dropFirst() {
        int dropped = relays.removeFirst().frame().bytes();
        bytes -= dropped;
        node.give(dropped);
    }

    /** Bytes of the relays it holds. */
    long bytes() {
        return bytes;
    }

    boolean isEmpty() {
        return relays.isEmpty();
    }

    /**
     * The relays sent after the client's {@code received}-th frame, in order, and a fresh log for
     * the next connection. A negative {@code received} (the client did not say) replays nothing.
     */
    List<Frame> restart(long received) {
        List<Frame> missed = new ArrayList<>();
        if (received >= 0) {
            for (Sent sent : relays) {
                if (sent.number() > received) {
                    missed.add(sent.frame());
                }
            }
        }
        relays.clear();
        node.give(bytes);
        bytes = 0;
        count = 0;
        return missed;
    }
}
