package org.lanscape.signaling.topic;

import org.lanscape.signaling.cluster.ClusterBus;
import org.lanscape.signaling.cluster.ParkedSession;
import org.lanscape.signaling.cluster.RemoteMember;
import org.lanscape.signaling.delivery.Frame;
import org.lanscape.signaling.delivery.RelayResult;
import org.lanscape.signaling.protocol.ErrorCode;
import org.lanscape.signaling.protocol.RawJson;
import org.lanscape.signaling.protocol.ServerMessage;
import org.lanscape.signaling.protocol.ServerMessageEncoder;
import org.lanscape.signaling.session.Peer;
import org.lanscape.signaling.session.Sessions;

import java.util.List;
import java.util.function.Supplier;

/**
 * Relays from one peer to another, here or on the node that holds the target, and what peers
 * must be told about them. Relays take no lock but the target's outbox; every frame is encoded
 * once.
 */
public final class Relays {

    private final Topics topics;
    private final ClusterBus bus;
    private final TopicObserver observer;
    private final long relayWaitNanos;
    private final Supplier<Sessions> sessions;

    Relays(Topics topics, ClusterBus bus, TopicObserver observer, long relayWaitNanos, Supplier<Sessions> sessions) {
        this.topics = topics;
        this.bus = bus;
        this.observer = observer;
        this.relayWaitNanos = relayWaitNanos;
        this.sessions = sessions;
    }

    /**
     * Relays one offer/answer/ice-candidate from a peer to another peer of the same topic, waiting
     * at most the configured relay wait for room in the target's queue.
     */
    public RelayResult relay(Peer from, String type, String to, RawJson payload, RawJson msgId, long receivedAt) {
        Topic topic = topics.get(from.topic());
        Peer target = topic == null ? null : topic.peer(to);
        RemoteMember remote = target != null || topic == null ? null : topic.remoteMember(to);
        RelayResult result;
        if (target == null && remote == null) {
            // not known here; while the view of other nodes' peers is incomplete it may exist there
            result = bus.viewComplete(from.topic()) ? RelayResult.TARGET_NOT_FOUND : RelayResult.DROPPED;
        } else {
            String text = ServerMessageEncoder.toJson(new ServerMessage.Relayed(type, from.id(), payload, msgId));
            if (target == null) {
                result = forward(remote, from, text, msgId);
            } else {
                boolean ascii = ServerMessageEncoder.isAscii(payload, msgId);
                result = switch (target.deliver(Frame.relay(text, ascii, receivedAt, from.id(), msgId, null),
                        relayWaitNanos)) {
                    case QUEUED -> RelayResult.DELIVERED;
                    case DROPPED, GONE -> RelayResult.DROPPED;
                    case MOVED -> forward(new RemoteMember(to, target.session().movedTo(), target.metadata()), from,
                            text, msgId);
                };
            }
        }
        observer.relayed(type, result);
        return result;
    }

    private RelayResult forward(RemoteMember target, Peer from, String text, RawJson msgId) {
        if (ParkedSession.NODE.equals(target.node())) {
            return RelayResult.DROPPED; // its session waits in Redis for its client: no node can deliver it now
        }
        return bus.forward(target, from.topic(), from.id(), text, msgId, null) ? RelayResult.FORWARDED : RelayResult.DROPPED;
    }

    /**
     * Queues a message the peer must get (an error for it); a peer without room for it is a slow
     * consumer. An error about a message it sent (it has the msgId) is a reply: held while the peer is
     * away, and sent again after a resume if its connection swallowed it.
     */
    public void tell(Peer peer, ServerMessage message) {
        Frame frame = message instanceof ServerMessage.Error error && error.msgId() != null
                ? Frame.reply(ServerMessageEncoder.toJson(message)) : TopicRegistry.control(message);
        if (peer.enqueue(frame)) {
            peer.flush();
        } else {
            sessions.get().slowConsumer(peer);
        }
    }

    /** Relays that were accepted and then could not be delivered: each sender gets dropped with its msgId. */
    public void undelivered(String topicName, List<Frame> relays) {
        for (Frame relay : relays) {
            if (relay.from() == null) {
                continue; // handed over from another node without its sender
            }
            observer.undeliverable(ErrorCode.DROPPED.wire());
            if (relay.senderNode() != null && !relay.senderNode().equals(bus.nodeId())) {
                bus.undeliverable(relay.senderNode(), relay.from(), ErrorCode.DROPPED.wire(), relay.msgId());
            } else {
                Peer sender = topics.peer(topicName, relay.from());
                if (sender != null) {
                    tell(sender, new ServerMessage.Error(ErrorCode.DROPPED, relay.msgId()));
                }
            }
        }
    }
}
