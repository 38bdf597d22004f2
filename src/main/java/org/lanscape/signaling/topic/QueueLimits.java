package org.lanscape.signaling.topic;

/**
 * What bounds a peer's outbox: its own byte budget, the node's, and how much of what was sent
 * lately is kept for a resume (characters; 0 keeps none).
 */
public record QueueLimits(long peerMaxBytes, NodeQueueBudget node, TopicObserver observer, int replayChars) {
}
