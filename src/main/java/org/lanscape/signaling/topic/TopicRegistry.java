package org.lanscape.signaling.topic;

import com.github.f4b6a3.ulid.UlidCreator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonValue;
import org.lanscape.signaling.cluster.BusListener;
import org.lanscape.signaling.cluster.ClusterBus;
import org.lanscape.signaling.cluster.HandOver;
import org.lanscape.signaling.cluster.RemoteMember;
import org.lanscape.signaling.config.SignalingConfig;
import org.lanscape.signaling.protocol.ErrorCode;
import org.lanscape.signaling.protocol.RawJson;
import org.lanscape.signaling.protocol.ServerMessage;
import org.lanscape.signaling.protocol.ServerMessageEncoder;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * All topics of this node and their peers. There is no global lock: the topic map is a
 * {@link ConcurrentHashMap}, membership changes lock only their own {@link Topic}, relays take no
 * lock at all. Every frame is encoded once, whatever the number of recipients.
 */
@ApplicationScoped
public class TopicRegistry implements BusListener {

    private static final Logger LOG = Logger.getLogger(TopicRegistry.class.getName());

    private final ConcurrentHashMap<String, Topic> topics = new ConcurrentHashMap<>();
    private final AtomicInteger connected = new AtomicInteger();
    /** Resume token -> peer, for every peer while session resume is on. */
    private final ConcurrentHashMap<String, Peer> resumable = new ConcurrentHashMap<>();
    /** Tokens of peers whose grace period ran out, kept a while to tell "expired" from "invalid". */
    private final ConcurrentHashMap<String, Long> expiredTokens = new ConcurrentHashMap<>();
    /** Peers whose session moved to another node (a resume there): relays that still arrive here are sent on. */
    private final ConcurrentHashMap<String, Moved> movedAway = new ConcurrentHashMap<>();
    private SignalingConfig config;
    private TopicObserver observer;
    private ClusterBus bus;

    protected TopicRegistry() {
        // for CDI proxies
    }

    @Inject
    public TopicRegistry(SignalingConfig config, TopicObserver observer, ClusterBus bus) {
        this.config = config;
        this.observer = observer;
        this.bus = bus;
    }

    /**
     * Adds a new peer to the topic (creating the topic if needed): the peer's queue gets welcome
     * and the peer-list of the members before it, and each member gets peer-joined (best effort).
     * Refused when the node or the topic is at its configured capacity.
     */
    public Peer join(String topicName, JsonValue metadata, String requestId, PeerSocket socket)
            throws JoinRefusedException {
        if (connected.incrementAndGet() > config.maxConnections()) {
            connected.decrementAndGet();
            throw new JoinRefusedException(JoinRefusedException.Reason.NODE_FULL);
        }
        Peer peer = new Peer(UlidCreator.getUlid().toString(), topicName, metadata, requestId, socket, observer,
                config.queueSize(), resumeEnabled() ? config.resumeReplayChars() : 0);
        String token = resumeEnabled() ? newToken() : null;
        Frame welcome = encode(new ServerMessage.Welcome(peer.id(), token));
        Frame joined = encode(new ServerMessage.PeerJoined(peer.id(), metadata));
        while (true) {
            Topic topic = topics.computeIfAbsent(topicName, Topic::new);
            int skipped = topic.add(peer, welcome, joined, records -> encode(new ServerMessage.PeerList(records)),
                    config.topicMaxPeers(), bus::open);
            if (skipped == Topic.FULL) {
                connected.decrementAndGet();
                throw new JoinRefusedException(JoinRefusedException.Reason.TOPIC_FULL);
            }
            if (skipped >= 0) {
                if (token != null) {
                    peer.resumeToken(token);
                    resumable.put(token, peer);
                }
                bus.joined(topicName, peer.id(), metadata);
                observer.joined(peer);
                if (skipped > 0) {
                    observer.broadcastSkipped(skipped);
                }
                LOG.fine(() -> "peer joined: " + peer.logContext());
                return peer;
            }
            // The topic closed under us (its last peer left): the next round finds or makes a new one.
        }
    }

    /** Removes the peer from its topic and sends peer-left to the rest; idempotent. */
    public void leave(Peer peer) {
        Topic topic = topics.get(peer.topic());
        if (topic == null) {
            return;
        }
        Frame left = encode(new ServerMessage.PeerLeft(peer.id()));
        Topic.Removal removal = topic.remove(peer, left, skipped -> {
            if (skipped > 0) {
                observer.broadcastSkipped(skipped);
            }
        }, () -> {
            topics.remove(topic.name(), topic);
            bus.close(topic.name());
        });
        if (removal != Topic.Removal.NOT_MEMBER) {
            String token = peer.resumeToken();
            if (token != null) {
                resumable.remove(token, peer);
            }
            connected.decrementAndGet();
            bus.left(peer.topic(), peer.id());
            observer.left(peer);
            LOG.fine(() -> "peer left: " + peer.logContext());
        }
    }

    // ---- session resume ----

    public enum ResumeOutcome { RESUMED, EXPIRED, INVALID }

    public boolean resumeEnabled() {
        return !config.resumeGrace().isZero();
    }

    /** The connection was lost abnormally: the peer stays (nobody sees it leave) for the grace period. */
    public void connectionLost(Peer peer) {
        if (resumeEnabled() && !peer.isClosed()) {
            peer.suspend(System.nanoTime());
            LOG.fine(() -> "peer away, resumable for " + config.resumeGrace() + ": " + peer.logContext());
        } else {
            peer.detach();
            leave(peer);
        }
    }

    /**
     * The server found the connection dead or stuck (ping timeout, write timeout, a failed send):
     * it is closed with that code and, with resume on, the peer is held for the grace period as
     * for a lost connection (the client may come back: these are abnormal closes); otherwise it
     * leaves.
     */
    public void connectionFailed(Peer peer, int closeCode, String reason) {
        if (resumeEnabled() && !peer.isClosed()) {
            peer.suspendAndClose(System.nanoTime(), closeCode, reason);
            LOG.fine(() -> "peer away after " + reason + ", resumable for " + config.resumeGrace() + ": " + peer.logContext());
        } else {
            disconnect(peer, closeCode, reason);
        }
    }

    /** The grace period ran out: the peer leaves as usual; its token now reads as expired. */
    public void expire(Peer peer) {
        String token = peer.resumeToken();
        peer.detach();
        leave(peer);
        if (token != null) {
            expiredTokens.put(token, System.nanoTime());
        }
    }

    /** Forgets expired tokens and moved peers older than a minute (called by the watchdog). */
    public void forgetStale(long now) {
        long minute = java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
        expiredTokens.values().removeIf(at -> now - at > minute);
        movedAway.values().removeIf(moved -> now - moved.at() > minute);
    }

    /**
     * Resumes the session of that token on a new connection: same peer id, nobody saw it leave,
     * and it gets welcome (with a new token), the current peer-list, then the relays held for it.
     * A token is single-use and bound to its topic. A token issued by another node (cluster mode)
     * is claimed from that node, which hands the session over. Returns the peer, or null with the
     * reason in {@code outcome[0]}.
     */
    public Peer resume(String token, long received, String topicName, String requestId, PeerSocket socket,
                       ResumeOutcome[] outcome) {
        String owner = ResumeTokens.node(token);
        if (owner == null) {
            outcome[0] = ResumeOutcome.INVALID;
            return null;
        }
        if (!owner.equals(bus.nodeId())) {
            return resumeFrom(owner, token, received, topicName, requestId, socket, outcome);
        }
        Peer peer = resumable.get(token);
        Topic topic = topics.get(topicName);
        if (peer == null || topic == null || !peer.topic().equals(topicName) || !resumable.remove(token, peer)) {
            outcome[0] = token != null && expiredTokens.containsKey(token) ? ResumeOutcome.EXPIRED : ResumeOutcome.INVALID;
            return null;
        }
        String next = newToken();
        Frame welcome = encode(new ServerMessage.Welcome(peer.id(), next));
        boolean resumed = topic.resume(peer, records -> encode(new ServerMessage.PeerList(records)),
                peerList -> peer.resume(socket, requestId, welcome, peerList, System.nanoTime(), received));
        if (!resumed) { // it left (grace period over) while we looked
            outcome[0] = ResumeOutcome.EXPIRED;
            return null;
        }
        peer.resumeToken(next);
        resumable.put(next, peer);
        outcome[0] = ResumeOutcome.RESUMED;
        return peer;
    }

    private Peer resumeFrom(String owner, String token, long received, String topicName, String requestId,
                            PeerSocket socket, ResumeOutcome[] outcome) {
        java.util.concurrent.atomic.AtomicReference<Peer> adopted = new java.util.concurrent.atomic.AtomicReference<>();
        HandOver.Result result = bus.claim(owner, token, received, topicName, handOver -> {
            adopted.set(adopt(handOver, topicName, requestId, socket));
            return true;
        }).join(); // completes within the Redis timeout
        outcome[0] = switch (result) {
            case HANDED_OVER -> ResumeOutcome.RESUMED;
            case EXPIRED -> ResumeOutcome.EXPIRED;
            case INVALID -> ResumeOutcome.INVALID;
        };
        return adopted.get();
    }

    /** Installs a session another node handed over: same id, new token, held relays in order. */
    private Peer adopt(HandOver handOver, String topicName, String requestId, PeerSocket socket) {
        connected.incrementAndGet(); // not a new peer in the cluster: the node capacity was checked at the handshake
        movedAway.remove(handOver.peerId());
        Peer peer = new Peer(handOver.peerId(), topicName, handOver.metadata(), requestId, socket, observer,
                config.queueSize(), config.resumeReplayChars());
        String token = newToken();
        Frame welcome = encode(new ServerMessage.Welcome(peer.id(), token));
        Frame joined = encode(new ServerMessage.PeerJoined(peer.id(), handOver.metadata()));
        long now = System.nanoTime();
        List<Frame> held = new ArrayList<>(handOver.heldFrames().size());
        for (String frame : handOver.heldFrames()) {
            held.add(Frame.relay(frame, now));
        }
        while (true) {
            Topic topic = topics.computeIfAbsent(topicName, Topic::new);
            if (topic.adopt(peer, welcome, joined, records -> encode(new ServerMessage.PeerList(records)), held, bus::open)) {
                break;
            }
        }
        peer.resumeToken(token);
        resumable.put(token, peer);
        LOG.fine(() -> "peer resumed from another node: " + peer.logContext());
        return peer;
    }

    private String newToken() {
        return ResumeTokens.issue(bus.nodeId());
    }

    /** Removes the peer (as {@link #leave}) and closes its connection with that close code. */
    public void disconnect(Peer peer, int closeCode, String reason) {
        leave(peer);
        peer.close(closeCode, reason);
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
        if (target != null) {
            String text = ServerMessageEncoder.toJson(new ServerMessage.Relayed(type, from.id(), payload, msgId));
            if (target.offer(Frame.relay(text, receivedAt), config.relayWait().toNanos())) {
                result = RelayResult.DELIVERED;
            } else if (target.movedTo() != null) { // its session moved to another node just now
                RemoteMember moved = new RemoteMember(to, target.movedTo(), target.metadata());
                result = bus.forward(moved, from.topic(), from.id(), text, msgId) ? RelayResult.FORWARDED : RelayResult.DROPPED;
            } else {
                result = RelayResult.DROPPED;
            }
        } else if (remote != null) {
            String frame = ServerMessageEncoder.toJson(new ServerMessage.Relayed(type, from.id(), payload, msgId));
            result = bus.forward(remote, from.topic(), from.id(), frame, msgId) ? RelayResult.FORWARDED : RelayResult.DROPPED;
        } else {
            result = RelayResult.TARGET_NOT_FOUND;
        }
        observer.relayed(type, result);
        return result;
    }

    /** Queues a message for one peer if there is room now. */
    public boolean send(Peer peer, ServerMessage message) {
        return peer.offer(encode(message));
    }

    /** Queues a message for one peer, waiting at most the relay wait for room. */
    public boolean sendWaiting(Peer peer, ServerMessage message) {
        return peer.offer(encode(message), config.relayWait().toNanos());
    }

    public void forEachPeer(Consumer<Peer> action) {
        for (Topic topic : topics.values()) {
            topic.peers().forEach(action);
        }
    }

    public int topicCount() {
        return topics.size();
    }

    public int peerCount() {
        return connected.get();
    }

    /** Peers in that topic on this node (0 for no such topic). */
    public int topicSize(String topicName) {
        Topic topic = topics.get(topicName);
        return topic == null ? 0 : topic.size();
    }

    /** Frames waiting in all queues of this node. */
    public long queuedFrames() {
        long n = 0;
        for (Topic topic : topics.values()) {
            for (Peer peer : topic.peers()) {
                n += peer.queued();
            }
        }
        return n;
    }

    /** Ids of peers whose connection was lost and who wait for a resume (at most {@code limit}). */
    public List<String> awayPeers(int limit) {
        List<String> away = new ArrayList<>();
        forEachPeer(peer -> {
            if (peer.isSuspended() && away.size() < limit) {
                away.add(peer.id());
            }
        });
        return away;
    }

    /** Peers with something queued or in flight. */
    public int busyPeers() {
        int n = 0;
        for (Topic topic : topics.values()) {
            for (Peer peer : topic.peers()) {
                if (!peer.isIdle() && !peer.isClosed()) {
                    n++;
                }
            }
        }
        return n;
    }

    /** The {@code limit} largest topics, by number of peers. */
    public List<Map.Entry<String, Integer>> largestTopics(int limit) {
        List<Map.Entry<String, Integer>> sizes = new ArrayList<>();
        for (Topic topic : topics.values()) {
            sizes.add(Map.entry(topic.name(), topic.size()));
        }
        sizes.sort(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()));
        return sizes.subList(0, Math.min(limit, sizes.size()));
    }

    // ---- the cluster bus delivers here ----

    @Override
    public void remoteJoined(String topicName, RemoteMember member) {
        Topic topic = topics.get(topicName);
        if (topic != null) {
            skipped(topic.remoteJoined(member, encode(new ServerMessage.PeerJoined(member.id(), member.metadata()))));
        }
    }

    @Override
    public void remoteLeft(String topicName, String peerId) {
        Topic topic = topics.get(topicName);
        if (topic != null) {
            skipped(topic.remoteLeft(peerId, encode(new ServerMessage.PeerLeft(peerId))));
        }
    }

    @Override
    public RelayOutcome deliver(String topicName, String toPeerId, String frame) {
        Topic topic = topics.get(topicName);
        Peer target = topic == null ? null : topic.peer(toPeerId);
        if (target != null && target.offer(Frame.relay(frame, System.nanoTime()), config.relayWait().toNanos())) {
            return RelayOutcome.DELIVERED;
        }
        if (target != null && target.movedTo() == null) {
            return RelayOutcome.DROPPED;
        }
        return RelayOutcome.NOT_FOUND; // here no more: the bus asks nodeOf whether it moved
    }

    @Override
    public String nodeOf(String topicName, String peerId) {
        Moved moved = movedAway.get(peerId);
        return moved != null && moved.topic().equals(topicName) ? moved.node() : null;
    }

    @Override
    public HandOver.Result handOver(String token, long received, String topicName, String toNode, Consumer<HandOver> send) {
        Peer peer = resumable.get(token);
        Topic topic = topics.get(topicName);
        if (peer == null || topic == null || !peer.topic().equals(topicName) || !resumable.remove(token, peer)) {
            return expiredTokens.containsKey(token) ? HandOver.Result.EXPIRED : HandOver.Result.INVALID;
        }
        boolean moved = topic.handOver(peer, toNode, received, held -> {
            movedAway.put(peer.id(), new Moved(topicName, toNode, System.nanoTime()));
            send.accept(new HandOver(HandOver.Result.HANDED_OVER, peer.id(), peer.metadata(), held));
        }, () -> {
            topics.remove(topic.name(), topic);
            bus.close(topic.name());
        });
        if (!moved) { // it left (grace period over) while we looked
            return HandOver.Result.EXPIRED;
        }
        connected.decrementAndGet();
        LOG.fine(() -> "peer handed over to node " + toNode + ": " + peer.logContext());
        return HandOver.Result.HANDED_OVER;
    }

    @Override
    public void remoteMoved(String topicName, String peerId, String toNode) {
        Topic topic = topics.get(topicName);
        if (topic != null) {
            topic.remoteMoved(peerId, toNode);
        }
    }

    private record Moved(String topic, String node, long at) {
    }

    @Override
    public void undeliverable(String fromPeerId, String code, RawJson msgId) {
        for (Topic topic : topics.values()) {
            Peer sender = topic.peer(fromPeerId);
            if (sender != null) {
                ErrorCode error = "dropped".equals(code) ? ErrorCode.DROPPED : ErrorCode.TARGET_NOT_FOUND;
                observer.remoteUndeliverable(error.wire());
                send(sender, new ServerMessage.Error(error, msgId)); // never waits: this is a bus thread
                return;
            }
        }
    }

    @Override
    public void resync(String topicName, Map<String, RemoteMember> members) {
        Topic topic = topics.get(topicName);
        if (topic != null) {
            topic.resync(members, m -> encode(new ServerMessage.PeerJoined(m.id(), m.metadata())),
                    id -> encode(new ServerMessage.PeerLeft(id)));
        }
    }

    @Override
    public Map<String, JsonValue> localMembers(String topicName) {
        Topic topic = topics.get(topicName);
        return topic == null ? Map.of() : topic.localMembers();
    }

    @Override
    public Iterable<String> localTopics() {
        return List.copyOf(topics.keySet());
    }

    private void skipped(int recipients) {
        if (recipients > 0) {
            observer.broadcastSkipped(recipients);
        }
    }

    private static Frame encode(ServerMessage message) {
        return Frame.of(ServerMessageEncoder.toJson(message));
    }
}
