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
import org.lanscape.signaling.protocol.PeerRecord;
import org.lanscape.signaling.protocol.RawJson;
import org.lanscape.signaling.protocol.ServerMessage;
import org.lanscape.signaling.protocol.ServerMessageEncoder;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * All topics of this node and their peers. There is no global lock: the topic map is a
 * {@link ConcurrentHashMap}, membership changes lock only their own {@link Topic}, relays take no
 * lock at all. Every frame is encoded once, whatever the number of recipients.
 */
@ApplicationScoped
public class TopicRegistry implements BusListener {

    /** Close code for a peer that had no room in its queue for an event it had to get. */
    public static final int SLOW_CONSUMER = 4002;
    /** Close code for a peer whose token expired. */
    public static final int TOKEN_EXPIRED = 4003;

    private static final Logger LOG = Logger.getLogger(TopicRegistry.class.getName());

    private final ConcurrentHashMap<String, Topic> topics = new ConcurrentHashMap<>();
    private final AtomicInteger connected = new AtomicInteger();
    /** Resume token -> peer, for every resumable peer. */
    private final ConcurrentHashMap<String, Peer> resumable = new ConcurrentHashMap<>();
    /** Tokens of peers whose grace period ran out, kept a while to tell "expired" from "invalid". */
    private final ConcurrentHashMap<String, Long> expiredTokens = new ConcurrentHashMap<>();
    /** Peers whose session moved to another node (a resume there): relays that still arrive here are sent on. */
    private final ConcurrentHashMap<String, Moved> movedAway = new ConcurrentHashMap<>();
    private SignalingConfig config;
    private TopicObserver observer;
    private ClusterBus bus;
    private QueueLimits limits;

    protected TopicRegistry() {
        // for CDI proxies
    }

    @Inject
    public TopicRegistry(SignalingConfig config, TopicObserver observer, ClusterBus bus) {
        this.config = config;
        this.observer = observer;
        this.bus = bus;
        this.limits = new QueueLimits(config.queueMaxBytes(), new NodeQueueBudget(config.nodeQueueMaxBytes()),
                observer, config.resumeReplayChars());
    }

    /**
     * Adds a new peer to the topic (creating the topic if needed): it gets welcome and the
     * peer-list of the members before it, each member gets peer-joined. Refused when the node or
     * the topic is at its configured capacity. Only a peer that asked for it (and only while
     * resume is on) gets a resume token and is held after a lost connection.
     */
    public Peer join(String topicName, JsonValue metadata, String requestId, PeerSocket socket, boolean wantsResume,
                     Credentials credentials) throws JoinRefusedException {
        if (connected.incrementAndGet() > config.maxConnections()) {
            connected.decrementAndGet();
            throw new JoinRefusedException(JoinRefusedException.Reason.NODE_FULL);
        }
        boolean resumableSession = wantsResume && resumeEnabled();
        Peer peer = new Peer(UlidCreator.getUlid().toString(), topicName, metadata, requestId, socket,
                resumableSession, credentials, limits);
        String token = resumableSession ? newToken() : null;
        Frame welcome = Frame.control(ServerMessageEncoder.toJson(new ServerMessage.Welcome(peer.id(), token)));
        Frame joined = presence(new ServerMessage.PeerJoined(peer.id(), metadata));
        while (true) {
            Topic topic = topics.computeIfAbsent(topicName, Topic::new);
            Topic.Joined result = topic.add(peer, welcome, joined, this::peerList, config.topicMaxPeers(), bus::open);
            if (result.full()) {
                connected.decrementAndGet();
                throw new JoinRefusedException(JoinRefusedException.Reason.TOPIC_FULL);
            }
            if (!result.closed()) {
                if (token != null) {
                    peer.resumeToken(token);
                    resumable.put(token, peer);
                }
                bus.joined(topicName, peer.id(), metadata);
                observer.joined(peer);
                settle(result.fanout());
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
        Frame left = presence(new ServerMessage.PeerLeft(peer.id()));
        Topic.Removal[] removal = new Topic.Removal[1];
        Fanout fanout = topic.remove(peer, left, () -> {
            topics.remove(topic.name(), topic);
            bus.close(topic.name());
        }, removal);
        if (removal[0] != Topic.Removal.NOT_MEMBER) {
            String token = peer.resumeToken();
            if (token != null) {
                resumable.remove(token, peer);
            }
            connected.decrementAndGet();
            bus.left(peer.topic(), peer.id());
            observer.left(peer);
            settle(fanout);
            LOG.fine(() -> "peer left: " + peer.logContext());
        }
    }

    // ---- how a connection ends ----

    /** The client closed the connection: the peer leaves; relays still queued for it are answered dropped. */
    public void connectionClosed(Peer peer) {
        List<Frame> undelivered = peer.detach();
        leave(peer);
        undelivered(peer.topic(), undelivered);
    }

    /** The connection was lost without a close frame: a resumable peer is held, any other leaves. */
    public void connectionLost(Peer peer) {
        if (peer.suspend(System.nanoTime())) {
            LOG.fine(() -> "peer away, resumable for " + config.resumeGrace() + ": " + peer.logContext());
        } else {
            connectionClosed(peer);
        }
    }

    /**
     * The server gives up on the connection (ping timeout, write timeout, a failed send, a slow
     * consumer): it is closed with that code, and a resumable peer is held as after a lost
     * connection; any other leaves.
     */
    public void connectionFailed(Peer peer, int closeCode, String reason) {
        if (peer.suspendAndClose(System.nanoTime(), closeCode, reason)) {
            LOG.fine(() -> "peer away after " + reason + ", resumable for " + config.resumeGrace() + ": " + peer.logContext());
        } else {
            disconnect(peer, closeCode, reason);
        }
    }

    /** Removes the peer (as {@link #leave}) and closes its connection with that close code. */
    public void disconnect(Peer peer, int closeCode, String reason) {
        List<Frame> undelivered = peer.close(closeCode, reason);
        leave(peer);
        undelivered(peer.topic(), undelivered);
    }

    /**
     * Ends the session of a peer away for longer than the grace period: it leaves as usual, its
     * token now reads as expired, and the relays held for it are answered dropped. Nothing
     * happens if it came back meanwhile.
     */
    public void expireIfDue(Peer peer, long now) {
        List<Frame> held = peer.expire(now, config.resumeGrace().toNanos());
        if (held == null) {
            return;
        }
        LOG.fine(() -> "peer did not come back within the grace period: " + peer.logContext());
        String token = peer.resumeToken();
        if (token != null) {
            expiredTokens.put(token, now);
        }
        leave(peer);
        undelivered(peer.topic(), held);
    }

    /** Forgets expired tokens and moved peers older than a minute (called by the watchdog). */
    public void forgetStale(long now) {
        long minute = TimeUnit.MINUTES.toNanos(1);
        expiredTokens.values().removeIf(at -> now - at > minute);
        movedAway.values().removeIf(moved -> now - moved.at() > minute);
    }

    // ---- session resume ----

    public enum ResumeOutcome { RESUMED, EXPIRED, INVALID }

    public boolean resumeEnabled() {
        return !config.resumeGrace().isZero();
    }

    /**
     * Resumes the session of that token on a new connection: same peer id, nobody saw it leave,
     * and it gets welcome (with a new token), the current peer-list, then the relays held for it.
     * A token is single-use and bound to its topic and to the subject that opened the session. A
     * token issued by another node (cluster mode) is claimed from that node, which hands the
     * session over. Returns the peer, or null with the reason in {@code outcome[0]}.
     */
    public Peer resume(String token, long received, String topicName, String requestId, PeerSocket socket,
                       Credentials credentials, ResumeOutcome[] outcome) {
        String owner = ResumeTokens.node(token);
        if (owner == null) {
            outcome[0] = ResumeOutcome.INVALID;
            return null;
        }
        if (!owner.equals(bus.nodeId())) {
            return resumeFrom(owner, token, received, topicName, requestId, socket, credentials, outcome);
        }
        Peer peer = resumable.get(token);
        Topic topic = topics.get(topicName);
        if (peer == null || topic == null || !peer.topic().equals(topicName)
                || !credentials.mayResume(peer.credentials()) || !resumable.remove(token, peer)) {
            outcome[0] = expiredTokens.containsKey(token) ? ResumeOutcome.EXPIRED : ResumeOutcome.INVALID;
            return null;
        }
        String next = newToken();
        Frame welcome = Frame.control(ServerMessageEncoder.toJson(new ServerMessage.Welcome(peer.id(), next)));
        boolean resumed = topic.resume(peer, this::peerList,
                peerList -> peer.resume(socket, requestId, credentials, List.of(welcome, peerList), System.nanoTime(),
                        received));
        if (!resumed) { // it left (grace period over) while we looked
            outcome[0] = ResumeOutcome.EXPIRED;
            return null;
        }
        peer.resumeToken(next);
        resumable.put(next, peer);
        peer.flush();
        outcome[0] = ResumeOutcome.RESUMED;
        return peer;
    }

    private Peer resumeFrom(String owner, String token, long received, String topicName, String requestId,
                            PeerSocket socket, Credentials credentials, ResumeOutcome[] outcome) {
        AtomicReference<Peer> adopted = new AtomicReference<>();
        HandOver.Result result = bus.claim(owner, token, received, topicName, credentials.subject(), handOver -> {
            adopted.set(adopt(handOver, topicName, requestId, socket, credentials));
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
    private Peer adopt(HandOver handOver, String topicName, String requestId, PeerSocket socket, Credentials credentials) {
        connected.incrementAndGet(); // not a new peer in the cluster: the node capacity was checked at the handshake
        movedAway.remove(handOver.peerId());
        Peer peer = new Peer(handOver.peerId(), topicName, handOver.metadata(), requestId, socket, true, credentials, limits);
        String token = newToken();
        Frame welcome = Frame.control(ServerMessageEncoder.toJson(new ServerMessage.Welcome(peer.id(), token)));
        Frame joined = presence(new ServerMessage.PeerJoined(peer.id(), handOver.metadata()));
        long now = System.nanoTime();
        List<Frame> held = new ArrayList<>(handOver.heldFrames().size());
        for (String frame : handOver.heldFrames()) {
            held.add(Frame.relay(frame, now, null, null, null));
        }
        Fanout fanout;
        do {
            Topic topic = topics.computeIfAbsent(topicName, Topic::new);
            fanout = topic.adopt(peer, welcome, joined, this::peerList, held, bus::open);
        } while (fanout == null);
        peer.resumeToken(token);
        resumable.put(token, peer);
        settle(fanout);
        LOG.fine(() -> "peer resumed from another node: " + peer.logContext());
        return peer;
    }

    private String newToken() {
        return ResumeTokens.issue(bus.nodeId());
    }

    // ---- relays ----

    /**
     * Relays one offer/answer/ice-candidate from a peer to another peer of the same topic, waiting
     * at most the configured relay wait for room in the target's queue.
     */
    public RelayResult relay(Peer from, String type, String to, RawJson payload, RawJson msgId, long receivedAt) {
        Topic topic = topics.get(from.topic());
        Peer target = topic == null ? null : topic.peer(to);
        RelayResult result;
        if (target != null) {
            String text = ServerMessageEncoder.toJson(new ServerMessage.Relayed(type, from.id(), payload, msgId));
            result = switch (target.deliver(Frame.relay(text, receivedAt, from.id(), msgId, null),
                    config.relayWait().toNanos())) {
                case QUEUED -> RelayResult.DELIVERED;
                case DROPPED, GONE -> RelayResult.DROPPED;
                case MOVED -> forward(new RemoteMember(to, target.movedTo(), target.metadata()), from, text, msgId);
            };
        } else {
            RemoteMember remote = topic == null ? null : topic.remoteMember(to);
            result = remote == null ? RelayResult.TARGET_NOT_FOUND
                    : forward(remote, from, ServerMessageEncoder.toJson(new ServerMessage.Relayed(type, from.id(), payload, msgId)), msgId);
        }
        observer.relayed(type, result);
        return result;
    }

    private RelayResult forward(RemoteMember target, Peer from, String text, RawJson msgId) {
        return bus.forward(target, from.topic(), from.id(), text, msgId, null) ? RelayResult.FORWARDED : RelayResult.DROPPED;
    }

    /**
     * Queues a message the peer must get (an error for it); a peer without room for it is a slow
     * consumer.
     */
    public void tell(Peer peer, ServerMessage message) {
        if (peer.enqueue(Frame.control(ServerMessageEncoder.toJson(message)))) {
            peer.flush();
        } else {
            slowConsumer(peer);
        }
    }

    /** Flushes the recipients of a membership change and disconnects those that had no room for it. */
    private void settle(Fanout fanout) {
        for (Peer recipient : fanout.recipients()) {
            recipient.flush();
        }
        for (Peer slow : fanout.slow()) {
            slowConsumer(slow);
        }
    }

    private void slowConsumer(Peer peer) {
        observer.slowConsumer();
        LOG.info(() -> "closing peer: its queue is full (" + peer.queuedBytes() + " bytes): slow consumer: "
                + peer.logContext());
        connectionFailed(peer, SLOW_CONSUMER, "slow consumer");
    }

    /** Relays that were accepted and then could not be delivered: each sender gets dropped with its msgId. */
    private void undelivered(String topicName, List<Frame> relays) {
        if (relays.isEmpty()) {
            return;
        }
        Topic topic = topics.get(topicName);
        for (Frame relay : relays) {
            if (relay.from() == null) {
                continue; // handed over from another node, whose senders were told there
            }
            observer.undeliverable(ErrorCode.DROPPED.wire());
            if (relay.senderNode() != null && !relay.senderNode().equals(bus.nodeId())) {
                bus.undeliverable(relay.senderNode(), relay.from(), ErrorCode.DROPPED.wire(), relay.msgId());
                continue;
            }
            Peer sender = topic == null ? null : topic.peer(relay.from());
            if (sender != null) {
                tell(sender, new ServerMessage.Error(ErrorCode.DROPPED, relay.msgId()));
            }
        }
    }

    // ---- what the node holds ----

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

    /** Bytes held by all queues of this node, and the cap. */
    public NodeQueueBudget queueBudget() {
        return limits.node();
    }

    /** Ids of peers whose connection was lost and who wait for a resume (at most {@code limit}). */
    public List<String> awayPeers(int limit) {
        List<String> away = new ArrayList<>();
        forEachPeer(peer -> {
            if (peer.isAway() && away.size() < limit) {
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
                if (!peer.isIdle()) {
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
            settle(topic.remoteJoined(member, presence(new ServerMessage.PeerJoined(member.id(), member.metadata()))));
        }
    }

    @Override
    public void remoteLeft(String topicName, String peerId) {
        Topic topic = topics.get(topicName);
        if (topic != null) {
            settle(topic.remoteLeft(peerId, presence(new ServerMessage.PeerLeft(peerId))));
        }
    }

    @Override
    public RelayOutcome deliver(String topicName, String toPeerId, String frame, String fromPeerId, RawJson msgId,
                                String senderNode) {
        Topic topic = topics.get(topicName);
        Peer target = topic == null ? null : topic.peer(toPeerId);
        if (target == null) {
            return RelayOutcome.NOT_FOUND; // here no more: the bus asks nodeOf whether it moved
        }
        Frame relay = Frame.relay(frame, System.nanoTime(), fromPeerId, msgId, senderNode);
        return switch (target.deliver(relay, config.relayWait().toNanos())) {
            case QUEUED -> RelayOutcome.DELIVERED;
            case DROPPED, GONE -> RelayOutcome.DROPPED;
            case MOVED -> RelayOutcome.NOT_FOUND;
        };
    }

    @Override
    public String nodeOf(String topicName, String peerId) {
        Moved moved = movedAway.get(peerId);
        return moved != null && moved.topic().equals(topicName) ? moved.node() : null;
    }

    /**
     * Another node takes over one of our sessions: while the peer is MOVING, relays for it are kept;
     * the hand-over goes out with no lock held, then the peer is a remote member on the new node
     * here, and the relays kept meanwhile are sent on after the hand-over.
     */
    @Override
    public HandOver.Result handOver(String token, long received, String topicName, String subject, String toNode,
                                    Consumer<HandOver> send) {
        Peer peer = resumable.get(token);
        Topic topic = topics.get(topicName);
        if (peer == null || topic == null || !peer.topic().equals(topicName)
                || !java.util.Objects.equals(subject, peer.credentials().subject()) || !resumable.remove(token, peer)) {
            return expiredTokens.containsKey(token) ? HandOver.Result.EXPIRED : HandOver.Result.INVALID;
        }
        List<Frame> held = peer.startMove(toNode, received);
        if (held == null) { // it left (grace period over) while we looked
            return HandOver.Result.EXPIRED;
        }
        movedAway.put(peer.id(), new Moved(topicName, toNode, System.nanoTime()));
        List<String> texts = new ArrayList<>(held.size());
        held.forEach(frame -> texts.add(frame.text()));
        send.accept(new HandOver(HandOver.Result.HANDED_OVER, peer.id(), peer.metadata(), texts));
        topic.moved(peer, toNode, () -> {
            topics.remove(topic.name(), topic);
            bus.close(topic.name());
        });
        RemoteMember there = new RemoteMember(peer.id(), toNode, peer.metadata());
        for (Frame late : peer.finishMove()) {
            if (!bus.forward(there, topicName, late.from(), late.text(), late.msgId(), late.senderNode())) {
                undelivered(topicName, List.of(late));
            }
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
                observer.undeliverable(error.wire());
                tell(sender, new ServerMessage.Error(error, msgId));
                return;
            }
        }
    }

    @Override
    public void resync(String topicName, Map<String, RemoteMember> members) {
        Topic topic = topics.get(topicName);
        if (topic != null) {
            topic.resync(members, m -> presence(new ServerMessage.PeerJoined(m.id(), m.metadata())),
                    id -> presence(new ServerMessage.PeerLeft(id))).forEach(this::settle);
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

    private Frame peerList(List<PeerRecord> records) {
        return Frame.control(ServerMessageEncoder.toJson(new ServerMessage.PeerList(records)));
    }

    private static Frame presence(ServerMessage message) {
        return Frame.presence(ServerMessageEncoder.toJson(message));
    }
}
