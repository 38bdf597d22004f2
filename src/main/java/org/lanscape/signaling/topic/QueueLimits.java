package org.lanscape.signaling.topic;

/**
 * What bounds a peer's outbox: its own byte budget, the node's, the send window of each of its
 * connections (bytes written but not confirmed by the client, see {@link SendWindow}), and how
 * much of what was sent lately is kept for a resume (characters; 0 keeps none); and the threads
 * its pings are written on (a ping is a blocking write: never on a caller's thread).
 */
public record QueueLimits(long peerMaxBytes, NodeQueueBudget node, TopicObserver observer, long sendWindow,
                          int replayChars, java.util.concurrent.Executor pings) {
}
