package org.lanscape.signaling.cluster;

import jakarta.json.JsonValue;
import org.lanscape.signaling.cluster.BusListener;
import org.lanscape.signaling.cluster.HandOver;
import org.lanscape.signaling.cluster.RemoteMember;
import org.lanscape.signaling.delivery.Frame;
import org.lanscape.signaling.protocol.ErrorCode;
import org.lanscape.signaling.protocol.RawJson;
import org.lanscape.signaling.protocol.ServerMessage;
import org.lanscape.signaling.session.Peer;
import org.lanscape.signaling.session.SessionMigration;
import org.lanscape.signaling.topic.Fanout;
import org.lanscape.signaling.topic.Topic;
import org.lanscape.signaling.topic.TopicObserver;
import org.lanscape.signaling.topic.TopicRegistry;
import org.lanscape.signaling.topic.Topics;

import java.util.Map;
import java.util.function.Consumer;

/**
 * What the cluster bus delivers to this node, on its threads: membership of other nodes' peers,
 * relays for our peers, sessions moving. Nothing here waits: a relay for a peer whose queue is
 * full is dropped at once (its sender hears of it), so that one slow peer holds up nobody else on
 * the bus's thread.
 */
public final class ClusterEvents implements BusListener {

    private final TopicRegistry registry;
    private final Topics topics;
    private final SessionMigration migration;
    private final TopicObserver observer;

    public ClusterEvents(TopicRegistry registry, Topics topics, SessionMigration migration, TopicObserver observer) {
        this.registry = registry;
        this.topics = topics;
        this.migration = migration;
        this.observer = observer;
    }

    @Override
    public void remoteJoined(String topicName, RemoteMember member) {
        Topic topic = topics.get(topicName);
        if (topic != null) {
            registry.settle(topic.remote().joined(member,
                    TopicRegistry.presence(new ServerMessage.PeerJoined(member.id(), member.metadata()))));
        }
    }

    @Override
    public void remoteLeft(String topicName, String peerId) {
        Topic topic = topics.get(topicName);
        if (topic != null) {
            registry.settle(topic.remote().left(peerId, TopicRegistry.presence(new ServerMessage.PeerLeft(peerId))));
        }
    }

    @Override
    public RelayOutcome deliver(String topicName, String toPeerId, String frame, String fromPeerId, RawJson msgId,
                                String senderNode) {
        Peer target = topics.peer(topicName, toPeerId);
        if (target == null) {
            return RelayOutcome.NOT_FOUND; // here no more: the bus asks nodeOf whether it moved
        }
        return switch (target.deliver(Frame.relay(frame, System.nanoTime(), fromPeerId, msgId, senderNode), 0)) {
            case QUEUED -> RelayOutcome.DELIVERED;
            case DROPPED, GONE -> RelayOutcome.DROPPED;
            case MOVED -> RelayOutcome.NOT_FOUND;
        };
    }

    @Override
    public String nodeOf(String topicName, String peerId) {
        return migration.nodeOf(topicName, peerId);
    }

    @Override
    public HandOver.Result handOver(String token, long received, String topicName, String subject, String toNode,
                                    Consumer<HandOver> send) {
        return migration.handOver(token, received, topicName, subject, toNode, send);
    }

    @Override
    public void remoteMoved(String topicName, String peerId, String toNode) {
        Topic topic = topics.get(topicName);
        if (topic != null) {
            topic.remote().moved(peerId, toNode);
        }
    }

    @Override
    public void undeliverable(String fromPeerId, String code, RawJson msgId) {
        for (Topic topic : topics.all()) {
            Peer sender = topic.peer(fromPeerId);
            if (sender != null) {
                ErrorCode error = ErrorCode.DROPPED.wire().equals(code) ? ErrorCode.DROPPED : ErrorCode.TARGET_NOT_FOUND;
                observer.undeliverable(error.wire());
                registry.relays().tell(sender, new ServerMessage.Error(error, msgId));
                return;
            }
        }
    }

    @Override
    public void resyncAsked(String topicName) {
        Topic topic = topics.get(topicName);
        if (topic != null) {
            topic.remote().resyncAsked();
        }
    }

    @Override
    public void resync(String topicName, Map<String, RemoteMember> members, java.util.function.Predicate<String> settled) {
        Topic topic = topics.get(topicName);
        if (topic != null) {
            announce(topic.remote().resync(members, settled, ClusterEvents::joined, ClusterEvents::left));
        }
    }

    @Override
    public void nodeSync(String topicName, String node, Map<String, RemoteMember> members) {
        Topic topic = topics.get(topicName);
        if (topic != null) {
            announce(topic.remote().nodeSync(node, members, ClusterEvents::joined, ClusterEvents::left));
        }
    }

    @Override
    public void nodeGone(String node) {
        for (Topic topic : topics.all()) {
            announce(topic.remote().nodeGone(node, ClusterEvents::left));
        }
    }

    @Override
    public void withLocalMembers(String topicName, java.util.function.Consumer<Map<String, JsonValue>> action) {
        Topic topic = topics.get(topicName);
        if (topic != null) {
            topic.withLocalMembers(action);
        }
    }

    private void announce(java.util.List<Fanout> changes) {
        changes.forEach(registry::settle);
        if (!changes.isEmpty()) {
            observer.viewChanges(changes.size());
        }
    }

    private static Frame joined(RemoteMember member) {
        return TopicRegistry.presence(new ServerMessage.PeerJoined(member.id(), member.metadata()));
    }

    private static Frame left(String peerId) {
        return TopicRegistry.presence(new ServerMessage.PeerLeft(peerId));
    }

    @Override
    public Map<String, JsonValue> localMembers(String topicName) {
        Topic topic = topics.get(topicName);
        return topic == null ? Map.of() : topic.localMembers();
    }

    @Override
    public Iterable<String> localTopics() {
        return topics.names();
    }
}
