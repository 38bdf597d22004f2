package org.lanscape.signaling.session;

import org.lanscape.signaling.cluster.ClusterBus;
import org.lanscape.signaling.config.SignalingConfig;
import org.lanscape.signaling.delivery.PeerSocket;
import org.lanscape.signaling.protocol.ServerMessage;
import org.lanscape.signaling.topic.Topic;
import org.lanscape.signaling.topic.TopicRegistry;
import org.lanscape.signaling.topic.Topics;

import java.util.List;

/**
 * A client comes back with its resume token: its session resumes here, is claimed from the node
 * that issued the token, or is taken from where a stopped node parked it.
 */
public final class SessionResume {

    /** FULL: the session lives on another node and this one has no place for it (it stays where it is). */
    /** FULL: no room on this node; UNAVAILABLE: its node died with it, and it is not parked yet. Both: try again. */
    public enum Outcome { RESUMED, EXPIRED, INVALID, FULL, UNAVAILABLE }

    private final TopicRegistry registry;
    private final Topics topics;
    private final ResumeTokenStore tokens;
    private final SessionMigration migration;
    private final ClusterBus bus;
    private final SignalingConfig config;

    public SessionResume(TopicRegistry registry, Topics topics, ResumeTokenStore tokens, SessionMigration migration,
                         ClusterBus bus, SignalingConfig config) {
        this.registry = registry;
        this.topics = topics;
        this.tokens = tokens;
        this.migration = migration;
        this.bus = bus;
        this.config = config;
    }

    /** Whether a resume with that token would take a new place on this node: its session lives on another one. */
    public boolean takesPlace(String token) {
        String owner = ResumeTokens.node(token);
        return owner == null || !owner.equals(bus.nodeId());
    }

    /**
     * Resumes the session of that token on a new connection: same peer id, nobody saw it leave,
     * and it gets welcome (with a new token), the current peer-list, then the relays held for it.
     * A token is single-use and bound to its topic and to the subject that opened the session; a
     * token of another node is claimed from it. Returns the peer, or null with the reason in
     * {@code outcome[0]}.
     */
    public Peer resume(String token, long received, String topicName, String requestId, PeerSocket socket,
                       Credentials credentials, Outcome[] outcome) {
        String owner = ResumeTokens.node(token);
        if (owner == null) {
            outcome[0] = Outcome.INVALID;
            return null;
        }
        if (!owner.equals(bus.nodeId())) {
            // A session that comes from another node takes a place here, like a join: a rolling
            // restart must not push the remaining nodes past their cap. Taken before the claim, so
            // that a full node leaves the session where it is, for a resume elsewhere.
            if (!topics.takePlace(config.maxConnections())) {
                outcome[0] = Outcome.FULL;
                return null;
            }
            Peer parked = migration.takeParked(token, topicName, requestId, socket, credentials);
            Peer peer = parked != null ? parked
                    : migration.claim(owner, token, received, topicName, requestId, socket, credentials, outcome);
            if (parked != null) {
                outcome[0] = Outcome.RESUMED;
            }
            if (peer == null) {
                topics.givePlace();
            }
            return peer;
        }
        Topic topic = topics.get(topicName);
        Peer peer = topic == null ? null : tokens.take(token, topicName, p -> credentials.mayResume(p.credentials()));
        if (peer == null && !tokens.isExpired(token) && topics.takePlace(config.maxConnections())) {
            // a session this node's previous life (same node id) parked when it stopped
            Peer parked = migration.takeParked(token, topicName, requestId, socket, credentials);
            if (parked != null) {
                outcome[0] = Outcome.RESUMED;
                return parked;
            }
            topics.givePlace();
        }
        if (peer == null) {
            outcome[0] = tokens.isExpired(token) ? Outcome.EXPIRED : Outcome.INVALID;
            return null;
        }
        String next = tokens.next();
        boolean resumed = topic.resume(peer, registry::peerList, peerList -> {
            boolean back = peer.session().resume(socket, requestId, credentials,
                    got -> List.of(TopicRegistry.control(new ServerMessage.Welcome(peer.id(), next, got)), peerList),
                    System.nanoTime(), received);
            if (back) { // under the topic's lock: a leave takes it after this, and forgets the token
                tokens.register(next, peer);
            }
            return back;
        });
        if (!resumed) { // it left (grace period over) while we looked
            outcome[0] = Outcome.EXPIRED;
            return null;
        }
        peer.flush();
        outcome[0] = Outcome.RESUMED;
        return peer;
    }

    /**
     * {@code ?received=<n>} beside {@code resume}: how many messages the client got on the lost
     * connection; -1 when it does not say (or says something that is not a count).
     */
    public static long received(String value) {
        if (value == null) {
            return -1;
        }
        try {
            return Math.max(-1, Long.parseLong(value));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
