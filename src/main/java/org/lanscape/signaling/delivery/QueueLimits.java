package org.lanscape.signaling.delivery;

import java.util.function.LongConsumer;

/**
 * What bounds a peer's outbox: its own byte budget, the node's, the send window of each of its
 * connections (bytes written but not confirmed by the client, see {@link SendWindow}), and how
 * much of what was sent lately is kept for a resume (bytes; 0 keeps none); and the threads
 * its writes run on (never a caller's: see {@link WriterThreads}).
 */
public record QueueLimits(long peerMaxBytes, NodeQueueBudget node, LongConsumer handedOff, long sendWindow,
                          int replayBytes, WriterThreads writers) {
}
