package org.lanscape.signaling.cluster.redis;

import jakarta.json.JsonObject;
import org.lanscape.signaling.cluster.BusListener;
import org.lanscape.signaling.cluster.ClusterObserver;
import org.lanscape.signaling.cluster.RemoteMember;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What arrives on the Pub/Sub connection. Its thread only parses the route and hands the message
 * to a worker (one per stripe, chosen by topic, which keeps each topic's events and relays in
 * order), so Redis never buffers output for this node; a worker never waits on a peer (see
 * {@link BusListener#deliver}), so a slow peer holds up no other topic of its stripe.
 * <p>
 * What waits for the workers is bounded ({@code signaling.cluster.inbound-max-bytes}, the messages'
 * text): past it a relay is not queued and its sender is told {@code dropped}, and a topic event is
 * not queued and the topic's view is read again from Redis instead ({@link InboundOverflow}). The
 * small answers that complete something this node or its peers asked for (undeliverable, claim,
 * handover, refused) are always queued: nothing else tells anyone of them.
 */
final class InboundDispatch {

    private static final Logger LOG = Logger.getLogger(InboundDispatch.class.getName());

    private final String node;
    private final ClusterObserver observer;
    private final RelayForwarding relays;
    private final Claims claims;
    private final ExecutorService[] stripes;
    private final long maxQueued;
    private final AtomicLong queued = new AtomicLong();
    private final InboundOverflow overflow;
    private volatile BusListener listener;

    InboundDispatch(String node, ClusterObserver observer, RelayForwarding relays, Claims claims, long maxQueued,
                    InboundOverflow overflow) {
        this.node = node;
        this.observer = observer;
        this.relays = relays;
        this.claims = claims;
        this.maxQueued = maxQueued;
        this.overflow = overflow;
        int n = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        this.stripes = new ExecutorService[n];
        for (int i = 0; i < n; i++) {
            stripes[i] = Executors.newSingleThreadExecutor(RedisBus.daemon("signaling-cluster-in-" + i));
        }
    }

    void start(BusListener listener) {
        this.listener = listener;
    }

    /** On the Pub/Sub thread. */
    void dispatch(String channel, String text) {
        JsonObject message;
        try {
            message = BusMessage.parse(text);
        } catch (RuntimeException e) {
            LOG.warning(() -> "cluster: unreadable message on " + channel);
            return;
        }
        String kind = message.getString("k", "");
        String route = message.getString("topic", message.getString("to", ""));
        if (ownTopicEvent(kind, message)) {
            return; // our own event, back from the topic channel
        }
        long size = text.length();
        if (queued.addAndGet(size) > maxQueued && !answer(kind)) {
            queued.addAndGet(-size);
            shed(kind, message);
            return;
        }
        try {
            stripes[Math.floorMod(route.hashCode(), stripes.length)].execute(() -> {
                try {
                    handle(kind, message);
                } finally {
                    queued.addAndGet(-size);
                }
            });
        } catch (RejectedExecutionException stopped) {
            // the node is stopping: its peers are gone, nothing is left to deliver to
        }
    }

    /** Bytes of messages waiting for (or in) a worker, for /debug/stats. */
    long queued() {
        return queued.get();
    }

    private static boolean answer(String kind) {
        return BusMessage.UNDELIVERABLE.equals(kind) || BusMessage.CLAIM.equals(kind)
                || BusMessage.HANDOVER.equals(kind) || BusMessage.REFUSED.equals(kind);
    }

    private void shed(String kind, JsonObject message) {
        observer.messageShed(kind);
        try {
            if (BusMessage.RELAY.equals(kind)) {
                overflow.relayShed(message.getString("node", ""), message.getString("from", ""), BusMessage.msgId(message));
            } else if (message.containsKey("topic")) {
                overflow.topicShed(message.getString("topic"));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cluster: a shed " + kind + " message could not be answered", e);
        }
    }

    /** Runs the task on the topic's worker, in order with the topic's events. */
    void onStripe(String topic, Runnable task) {
        try {
            stripes[Math.floorMod(topic.hashCode(), stripes.length)].execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "cluster: a resync of topic " + topic + " failed", e);
                }
            });
        } catch (RejectedExecutionException stopped) {
            // the node is stopping
        }
    }

    void stop() {
        for (ExecutorService stripe : stripes) {
            stripe.shutdownNow();
        }
    }

    private boolean ownTopicEvent(String kind, JsonObject message) {
        boolean topicEvent = BusMessage.JOIN.equals(kind) || BusMessage.LEAVE.equals(kind) || BusMessage.MOVE.equals(kind)
                || BusMessage.SYNC.equals(kind);
        return topicEvent && node.equals(message.getString("node", ""));
    }

    private void handle(String kind, JsonObject message) {
        String from = message.getString("node", "");
        observer.messageIn(kind);
        try {
            switch (kind) {
                case BusMessage.JOIN -> listener.remoteJoined(message.getString("topic"),
                        new RemoteMember(message.getString("peer"), from, message.get("metadata")));
                case BusMessage.LEAVE -> listener.remoteLeft(message.getString("topic"), message.getString("peer"));
                case BusMessage.RELAY -> relays.arrived(from, message);
                case BusMessage.UNDELIVERABLE -> listener.undeliverable(message.getString("to"),
                        message.getString("code"), BusMessage.msgId(message));
                case BusMessage.CLAIM -> claims.claimed(from, message);
                case BusMessage.HANDOVER -> claims.handedOver(message);
                case BusMessage.REFUSED -> claims.refused(message);
                case BusMessage.SYNC -> listener.nodeSync(message.getString("topic"), from, BusMessage.syncMembers(message));
                case BusMessage.MOVE -> {
                    if (!node.equals(message.getString("to"))) { // the claimant installed it already
                        listener.remoteMoved(message.getString("topic"), message.getString("peer"), message.getString("to"));
                    }
                }
                default -> LOG.fine(() -> "cluster: unknown message kind " + kind);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cluster: failed to handle a " + kind + " message", e);
        }
    }
}
