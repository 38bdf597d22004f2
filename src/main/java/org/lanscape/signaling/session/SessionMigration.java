package org.lanscape.signaling.session;

import org.lanscape.signaling.cluster.ClusterBus;
import org.lanscape.signaling.cluster.HandOver;
import org.lanscape.signaling.cluster.HeldRelay;
import org.lanscape.signaling.cluster.ParkedSession;
import org.lanscape.signaling.cluster.RemoteMember;
import org.lanscape.signaling.delivery.Frame;
import org.lanscape.signaling.delivery.PeerSocket;
import org.lanscape.signaling.delivery.QueueLimits;
import org.lanscape.signaling.protocol.ServerMessage;
import org.lanscape.signaling.topic.Fanout;
import org.lanscape.signaling.topic.Topic;
import org.lanscape.signaling.topic.TopicRegistry;
import org.lanscape.signaling.topic.Topics;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Sessions moving between nodes (cluster mode): this node claims a session whose token another
 * node issued, and installs what that node hands over; or it hands one of its own over to the
 * node a client came back to, and for a while sends on the relays that still arrive for it.
 */
public final class SessionMigration {

    private static final Logger LOG = Logger.getLogger(SessionMigration.class.getName());
    static final String PARKED = ParkedSession.NODE;

    private record Moved(String topic, String node, long at) {
    }

    private final TopicRegistry registry;
    private final Topics topics;
    private final ResumeTokenStore tokens;
    private final ClusterBus bus;
    private final QueueLimits limits;
    private final long claimTimeoutNanos;
    /** Peers whose session moved to another node lately: relays that still arrive here are sent on. */
    private final ConcurrentHashMap<String, Moved> movedAway = new ConcurrentHashMap<>();

    public SessionMigration(TopicRegistry registry, Topics topics, ResumeTokenStore tokens, ClusterBus bus,
                     QueueLimits limits, long claimTimeoutNanos) {
        this.registry = registry;
        this.topics = topics;
        this.tokens = tokens;
        this.bus = bus;
        this.limits = limits;
        this.claimTimeoutNanos = claimTimeoutNanos;
    }

    /**
     * Claims the session of a token issued by {@code owner}; the result comes within the claim
     * timeout whatever the owner does (a late hand-over then ends the session everywhere).
     */
    public Peer claim(String owner, String token, long received, String topicName, String requestId, PeerSocket socket,
               Credentials credentials, SessionResume.Outcome[] outcome) {
        AtomicReference<Peer> adopted = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicInteger phase = new java.util.concurrent.atomic.AtomicInteger(); // 0 waiting, 1 adopting, 2 given up
        java.util.concurrent.CompletableFuture<HandOver.Result> claim = bus.claim(owner, token, received, topicName,
                credentials.subject(), handOver -> {
                    if (!phase.compareAndSet(0, 1)) {
                        return false; // we gave up: the client has a new session, this one ends everywhere
                    }
                    adopted.set(adopt(handOver, topicName, requestId, socket, credentials));
                    return true;
                });
        HandOver.Result result;
        try {
            result = claim.copy().orTimeout(claimTimeoutNanos, TimeUnit.NANOSECONDS).join();
        } catch (CompletionException e) {
            if (!(e.getCause() instanceof TimeoutException)) {
                throw e;
            }
            result = phase.compareAndSet(0, 2) ? HandOver.Result.EXPIRED : claim.join(); // adopting: it ends soon
        }
        outcome[0] = switch (result) {
            case HANDED_OVER -> SessionResume.Outcome.RESUMED;
            case EXPIRED -> SessionResume.Outcome.EXPIRED;
            case INVALID -> SessionResume.Outcome.INVALID;
            case OWNER_DOWN -> SessionResume.Outcome.UNAVAILABLE;
        };
        return adopted.get();
    }

    /** Installs a session another node handed over: same id, new token, held relays in order. */
    private Peer adopt(HandOver handOver, String topicName, String requestId, PeerSocket socket, Credentials credentials) {
        // its place on this node was taken before the claim (TopicRegistry.resume)
        movedAway.remove(handOver.peerId());
        Peer peer = new Peer(handOver.peerId(), topicName, handOver.metadata(), requestId, socket, true, credentials, limits);
        String token = tokens.next();
        Frame welcome = TopicRegistry.control(new ServerMessage.Welcome(peer.id(), token, handOver.clientMessages()));
        Frame joined = TopicRegistry.presence(new ServerMessage.PeerJoined(peer.id(), handOver.metadata()));
        long now = System.nanoTime();
        List<Frame> held = new ArrayList<>(handOver.heldRelays().size());
        for (HeldRelay relay : handOver.heldRelays()) {
            held.add(Frame.relay(relay.frame(), now, relay.from(), relay.msgId(), relay.senderNode()));
        }
        tokens.register(token, peer); // before it is reachable: a leave that comes at once forgets it
        Fanout fanout;
        do {
            Topic topic = topics.getOrCreate(topicName);
            topic.open(bus::open);
            fanout = topic.adopt(peer, welcome, joined, registry::peerList, held);
        } while (fanout == null);
        registry.settle(fanout);
        LOG.fine(() -> "peer resumed from another node: " + peer.logContext());
        return peer;
    }

    /**
     * Another node takes over one of our sessions: while the peer is MOVING, relays for it are
     * kept; the hand-over goes out with no lock held; then the peer is a remote member on the new
     * node here, and the relays kept meanwhile are sent on after the hand-over.
     */
    public HandOver.Result handOver(String token, long received, String topicName, String subject, String toNode,
                             Consumer<HandOver> send) {
        Topic topic = topics.get(topicName);
        Peer peer = topic == null ? null
                : tokens.take(token, topicName, p -> Objects.equals(subject, p.credentials().subject()));
        if (peer == null) {
            return tokens.isExpired(token) ? HandOver.Result.EXPIRED : HandOver.Result.INVALID;
        }
        List<Frame> held = peer.session().startMove(toNode, received);
        if (held == null) { // it left (grace period over) while we looked
            return HandOver.Result.EXPIRED;
        }
        movedAway.put(peer.id(), new Moved(topicName, toNode, System.nanoTime()));
        send.accept(new HandOver(HandOver.Result.HANDED_OVER, peer.id(), peer.metadata(), carried(held), peer.session().clientMessages()));
        boolean moved = topic.moved(peer, toNode, () -> {
            bus.close(topic.name()); // before a new topic of the name can exist: its SADD comes after our SREM
            topics.remove(topic);
        });
        RemoteMember there = new RemoteMember(peer.id(), toNode, peer.metadata());
        for (Frame late : peer.session().finishMove()) {
            if (!bus.forward(there, topicName, late.from(), late.text(), late.msgId(), late.senderNode())) {
                registry.relays().undelivered(topicName, List.of(late));
            }
        }
        if (moved) { // else it left meanwhile, and its leave gave its place back
            topics.givePlace();
        }
        LOG.fine(() -> "peer handed over to node " + toNode + ": " + peer.logContext());
        return HandOver.Result.HANDED_OVER;
    }

    /** Held relays as they leave this node: each with its sender, whose node is this one when the frame does not say. */
    private List<HeldRelay> carried(List<Frame> held) {
        List<HeldRelay> relays = new ArrayList<>(held.size());
        for (Frame frame : held) {
            relays.add(new HeldRelay(frame.text(), frame.from(), frame.msgId(),
                    frame.from() == null || frame.senderNode() != null ? frame.senderNode() : bus.nodeId()));
        }
        return relays;
    }

    /**
     * A node that stopped left this session in Redis (nobody had claimed it before it went): take
     * it, if it was opened by the same subject. Null when there is none to take.
     */
    public Peer takeParked(String token, String topicName, String requestId, PeerSocket socket, Credentials credentials) {
        ParkedSession parked = bus.parked(topicName, token);
        if (parked == null || !credentials.mayResume(new Credentials(parked.subject(), Long.MAX_VALUE))
                || !bus.unpark(topicName, token, parked.peerId())) {
            return null;
        }
        Peer peer = adopt(new HandOver(HandOver.Result.HANDED_OVER, parked.peerId(), parked.metadata(), parked.heldRelays(),
                        parked.clientMessages()),
                topicName, requestId, socket, credentials);
        bus.adopted(topicName, peer.id(), parked.metadata());
        LOG.fine(() -> "peer resumed from a session parked by a stopped node: " + peer.logContext());
        return peer;
    }

    /**
     * This node stops and nobody claimed the session of this peer, away since its client was told
     * to come back elsewhere: it goes to Redis for the grace period, with the relays queued for it,
     * and leaves this node without a peer-left. False if it could not be parked: then nothing
     * changed, or (the bus refused it) it has left, and its relays were answered dropped.
     */
    public boolean park(Peer peer, java.time.Duration ttl) {
        Topic topic = topics.get(peer.topic());
        String token = peer.resumeToken();
        if (topic == null || token == null) {
            return false;
        }
        List<Frame> held = peer.session().startMove(PARKED, -1); // the client had everything before its close frame
        if (held == null) {
            return false;
        }
        Credentials credentials = peer.credentials();
        if (!bus.park(peer.topic(), token, new ParkedSession(peer.id(), peer.metadata(),
                credentials == null ? null : credentials.subject(), carried(held), peer.session().clientMessages()), ttl)) {
            List<Frame> late = peer.session().finishMove();
            registry.leave(peer);
            registry.relays().undelivered(peer.topic(), held);
            registry.relays().undelivered(peer.topic(), late);
            return false;
        }
        boolean moved = topic.moved(peer, PARKED, () -> {
            bus.close(topic.name());
            topics.remove(topic);
        });
        tokens.forget(peer);
        registry.relays().undelivered(peer.topic(), peer.session().finishMove()); // offered while it was being parked: dropped
        if (moved) { // else it left meanwhile, and its leave gave its place back
            topics.givePlace();
        }
        LOG.fine(() -> "peer parked in the cluster for a resume on another node: " + peer.logContext());
        return true;
    }

    /** The node a peer of this node moved to lately (its session resumed there), or null. */
    public String nodeOf(String topicName, String peerId) {
        Moved moved = movedAway.get(peerId);
        return moved != null && moved.topic().equals(topicName) ? moved.node() : null;
    }

    /** Forgets the moves older than a minute. */
    public void forgetStale(long now) {
        long minute = TimeUnit.MINUTES.toNanos(1);
        movedAway.values().removeIf(moved -> now - moved.at() > minute);
    }
}
