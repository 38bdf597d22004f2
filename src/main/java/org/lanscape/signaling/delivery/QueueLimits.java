package org.lanscape.signaling.delivery;

import java.util.function.LongConsumer;
import java.util.function.LongPredicate;

/**
 * What bounds a peer's outbox: its own byte budget, the node's, the send window of each of its
 * connections (bytes written but not confirmed by the client, see {@link SendWindow}), and how
 * much of what was sent lately is kept for a resume (bytes; 0 keeps none); the threads its
 * writes run on (never a caller's: see {@link WriterThreads}); {@code reclaim}, which frees that
 * many bytes of the node's budget from sessions held for a resume, true if it freed any; and
 * {@code logs}, the node's budget for the resume logs of all its peers together.
 */
public record QueueLimits(long peerMaxBytes, NodeQueueBudget node, LongConsumer handedOff, long sendWindow,
                          int replayBytes, WriterThreads writers, LongPredicate reclaim, NodeQueueBudget logs) {

    /** Without reclaiming (a relay the node has no room for is refused), resume logs bounded only each by its own. */
    public QueueLimits(long peerMaxBytes, NodeQueueBudget node, LongConsumer handedOff, long sendWindow,
                       int replayBytes, WriterThreads writers) {
        this(peerMaxBytes, node, handedOff, sendWindow, replayBytes, writers, bytes -> false,
                new NodeQueueBudget(Long.MAX_VALUE / 2));
    }
}
