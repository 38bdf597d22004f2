package org.lanscape.signaling.topic;

import com.github.f4b6a3.ulid.UlidCreator;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonValue;
import org.lanscape.signaling.cluster.BusListener;
import org.lanscape.signaling.cluster.ClusterBus;
import org.lanscape.signaling.cluster.RemoteMember;
import org.lanscape.signaling.config.SignalingConfig;
import org.lanscape.signaling.protocol.ErrorCode;
import org.lanscape.signaling.protocol.PeerRecord;
import org.lanscape.signaling.protocol.RawJson;
import org.lanscape.signaling.protocol.ServerMessage;
import org.lanscape.signaling.protocol.ServerMessageEncoder;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The peers of this node and what happens to them: joins, relays, the ways a connection ends, and
 * a resume. Membership changes lock only their own {@link Topic}, relays take no lock at all, and
 * every frame is encoded once whatever the number of recipients. Sessions moving between nodes are
 * {@link SessionMigration}'s; what the cluster bus delivers goes through {@link #busListener}.
 */
@ApplicationScoped
public class TopicRegistry {

    /** Close code for a peer that had no room in its queue for an event it had to get. */
    public static final int SLOW_CONSUMER = 4002;
    /** Close code for a peer whose token expired. */
    public static final int TOKEN_EXPIRED = 4003;

    /** FULL: the session lives on another node and this one has no place for it (it stays where it is). */
    public enum ResumeOutcome { RESUMED, EXPIRED, INVALID, FULL }

    private static final Logger LOG = Logger.getLogger(TopicRegistry.class.getName());

    private final Topics topics = new Topics();
    private SignalingConfig config;
    private TopicObserver observer;
    private ClusterBus bus;
    private QueueLimits limits;
    private ResumeTokenStore tokens;
    private SessionMigration migration;
    private BusListener busListener;
    private long relayWaitNanos;
    /** The threads every write to a connection runs on. */
    private WriterThreads writers;

    protected TopicRegistry() {
        // for CDI proxies
    }

    @Inject
    public TopicRegistry(SignalingConfig config, TopicObserver observer, ClusterBus bus) {
        this(config, observer, bus, new WriterThreads(Math.max(2, Runtime.getRuntime().availableProcessors())));
    }

    /** With its writes on {@code writers} (tests: {@link WriterThreads#inline}). */
    TopicRegistry(SignalingConfig config, TopicObserver observer, ClusterBus bus, WriterThreads writers) {
        this.config = config;
        this.observer = observer.target().get(); // the metrics bean itself: it is called for every message
        this.bus = bus;
        this.relayWaitNanos = config.relayWait().toNanos();
        this.writers = writers;
        this.limits = new QueueLimits(config.queueMaxBytes(), new NodeQueueBudget(config.nodeQueueMaxBytes()),
                this.observer, config.sendWindow(), config.resumeReplayChars(), writers);
        this.tokens = new ResumeTokenStore(bus.nodeId());
        this.migration = new SessionMigration(this, topics, tokens, bus, limits, bus.claimTimeout().toNanos());
        this.busListener = new ClusterEvents(this, topics, migration, this.observer);
    }

    @PreDestroy
    void stop() {
        if (writers != null) {
            writers.stop();
        }
    }

    /** Writer threads held in writes that do not return (see {@link WriterThreads}). */
    public int heldWriters() {
        return writers.held();
    }

    /** The registry itself: called through its CDI client proxy, the instance behind it (see {@link TopicObserver#target}). */
    public java.util.function.Supplier<TopicRegistry> target() {
        TopicRegistry self = this;
        return () -> self;
    }

    /** What the cluster bus delivers to this node. */
    public BusListener busListener() {
        return busListener;
    }

    /**
     * Adds a new peer to the topic: it gets welcome and the peer-list of the members before it,
     * each member gets peer-joined. Refused when the node or the topic is full. Only a peer that
     * asked for it (and only while resume is on) gets a resume token and is held after a lost
     * connection.
     */
    public Peer join(String topicName, JsonValue metadata, String requestId, PeerSocket socket, boolean wantsResume,
                     Credentials credentials) throws JoinRefusedException {
        return join(topicName, metadata, requestId, socket, wantsResume, credentials, null);
    }

    /** As above; {@code notice}, if not null, comes right after the peer-list (resume_failed: this is a new session). */
    public Peer join(String topicName, JsonValue metadata, String requestId, PeerSocket socket, boolean wantsResume,
                     Credentials credentials, ServerMessage noticeMessage) throws JoinRefusedException {
        if (!topics.takePlace(config.maxConnections())) {
            throw new JoinRefusedException(JoinRefusedException.Reason.NODE_FULL);
        }
        boolean resumable = wantsResume && resumeEnabled();
        Peer peer = new Peer(UlidCreator.getUlid().toString(), topicName, metadata, requestId, socket, resumable,
                credentials, limits);
        String token = resumable ? tokens.next() : null;
        Frame welcome = control(new ServerMessage.Welcome(peer.id(), token));
        Frame joined = presence(new ServerMessage.PeerJoined(peer.id(), metadata));
        Frame notice = noticeMessage == null ? null : control(noticeMessage);
        if (token != null) {
            // before the peer is reachable: a leave that comes at once then forgets it (registered
            // after, it would pin the ended peer for good); nobody knows the token before the welcome
            tokens.register(token, peer);
        }
        while (true) {
            Topic topic = topics.getOrCreate(topicName);
            Topic.Joined result;
            try {
                topic.open(bus::open);
                result = topic.add(peer, welcome, joined, this::peerList, config.topicMaxPeers(), notice);
            } catch (RuntimeException | Error e) {
                tokens.forget(peer);
                topics.givePlace();
                throw e;
            }
            if (result.full()) {
                tokens.forget(peer);
                topics.givePlace();
                throw new JoinRefusedException(JoinRefusedException.Reason.TOPIC_FULL);
            }
            if (!result.closed()) {
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
        Topic.Removal[] removal = new Topic.Removal[1];
        Fanout fanout = topic.remove(peer, presence(new ServerMessage.PeerLeft(peer.id())), () -> {
            bus.close(topic.name()); // before a new topic of the name can exist: its SADD comes after our SREM
            topics.remove(topic);
        }, removal);
        if (removal[0] != Topic.Removal.NOT_MEMBER) {
            tokens.forget(peer);
            topics.givePlace();
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
        switch (peer.suspend(System.nanoTime())) {
            case HELD -> LOG.fine(() -> "peer away, resumable for " + config.resumeGrace() + ": " + peer.logContext());
            case NOT_RESUMABLE -> connectionClosed(peer);
            case NOT_LIVE -> { } // away, moving, moved or ended already: not this connection's to end
        }
    }

    /**
     * The server gives up on the connection (ping timeout, write timeout, a failed send, a slow
     * consumer): it is closed with that code, and a resumable peer is held as after a lost
     * connection; any other leaves.
     */
    public void connectionFailed(Peer peer, int closeCode, String reason) {
        switch (peer.suspendAndClose(System.nanoTime(), closeCode, reason)) {
            case HELD -> LOG.fine(() -> "peer away after " + reason + ", resumable for " + config.resumeGrace() + ": "
                    + peer.logContext());
            case NOT_RESUMABLE -> disconnect(peer, closeCode, reason);
            // held already (a slow consumer while away keeps its session: its return brings a fresh
            // peer-list), moving or moved to another node (a verdict read before the move), or ended
            case NOT_LIVE -> { }
        }
    }

    /**
     * The node is stopping and another node can take the session: the connection is closed with
     * that code and the peer is held, as after a lost connection, for the client to resume
     * elsewhere. False (nothing done) for a peer that is not resumable or not live.
     */
    public boolean releaseForHandOver(Peer peer, int closeCode, String reason) {
        if (!resumeEnabled() || !peer.resumable()) {
            return false;
        }
        boolean held = peer.suspendAndClose(System.nanoTime(), closeCode, reason) == Peer.Hold.HELD;
        if (held) {
            LOG.fine(() -> "peer released for a resume on another node: " + peer.logContext());
        }
        return held;
    }

    /**
     * The node stops and nobody claimed this released session in time: it is parked in the cluster
     * for the grace period, for a resume on any node; if the bus cannot take it, it leaves. True if parked.
     */
    public boolean park(Peer peer) {
        // parked for what is left of its grace period, which began when its connection was lost
        java.time.Duration left = config.resumeGrace().minusNanos(System.nanoTime() - peer.awaySince());
        if (peer.isAway() && left.toMillis() >= 1 && migration.park(peer, left)) {
            return true;
        }
        if (peer.movedTo() != null) {
            return false; // a claim took it meanwhile (the claim finishes it), or the park refused it and it left
        }
        connectionClosed(peer); // idempotent: also after a park the bus refused, which left already
        return false;
    }

    /**
     * The node stops and the session cannot move: it ends, its connection closed with that code on
     * the caller's thread (a held one has none), and the relays queued or held for it are answered
     * dropped. Nothing happens to a session that is moving or moved.
     */
    public void shutDown(Peer peer, int closeCode, String reason) {
        List<Frame> undelivered = peer.closeNow(closeCode, reason);
        if (undelivered != null) { // else claimed by another node meanwhile, or ended: theirs to finish
            leave(peer);
            undelivered(peer.topic(), undelivered);
        }
    }

    /** Removes the peer (as {@link #leave}) and closes its connection with that close code. */
    public void disconnect(Peer peer, int closeCode, String reason) {
        List<Frame> undelivered = peer.close(closeCode, reason);
        leave(peer);
        undelivered(peer.topic(), undelivered);
    }

    /**
     * Ends the session of a peer away for longer than the grace period: it leaves, its token reads
     * as expired, the relays held for it are answered dropped. Nothing happens if it came back.
     */
    public void expireIfDue(Peer peer, long now) {
        List<Frame> held = peer.expire(now, config.resumeGrace().toNanos());
        if (held != null) {
            LOG.fine(() -> "peer did not come back within the grace period: " + peer.logContext());
            tokens.expired(peer, now);
            leave(peer);
            undelivered(peer.topic(), held);
        }
    }

    /** Forgets expired tokens and moved peers older than a minute (called by the watchdog). */
    public void forgetStale(long now) {
        tokens.forgetStale(now);
        migration.forgetStale(now);
    }

    // ---- session resume ----

    /** Whether a resume with that token would take a new place on this node: its session lives on another one. */
    public boolean resumeTakesPlace(String token) {
        String owner = ResumeTokens.node(token);
        return owner == null || !owner.equals(bus.nodeId());
    }

    public boolean resumeEnabled() {
        return !config.resumeGrace().isZero();
    }

    /**
     * Resumes the session of that token on a new connection: same peer id, nobody saw it leave,
     * and it gets welcome (with a new token), the current peer-list, then the relays held for it.
     * A token is single-use and bound to its topic and to the subject that opened the session; a
     * token of another node is claimed from it. Returns the peer, or null with the reason in
     * {@code outcome[0]}.
     */
    public Peer resume(String token, long received, String topicName, String requestId, PeerSocket socket,
                       Credentials credentials, ResumeOutcome[] outcome) {
        String owner = ResumeTokens.node(token);
        if (owner == null) {
            outcome[0] = ResumeOutcome.INVALID;
            return null;
        }
        if (!owner.equals(bus.nodeId())) {
            // A session that comes from another node takes a place here, like a join: a rolling
            // restart must not push the remaining nodes past their cap. Taken before the claim, so
            // that a full node leaves the session where it is, for a resume elsewhere.
            if (!topics.takePlace(config.maxConnections())) {
                outcome[0] = ResumeOutcome.FULL;
                return null;
            }
            Peer parked = migration.takeParked(token, topicName, requestId, socket, credentials);
            Peer peer = parked != null ? parked
                    : migration.claim(owner, token, received, topicName, requestId, socket, credentials, outcome);
            if (parked != null) {
                outcome[0] = ResumeOutcome.RESUMED;
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
                outcome[0] = ResumeOutcome.RESUMED;
                return parked;
            }
            topics.givePlace();
        }
        if (peer == null) {
            outcome[0] = tokens.isExpired(token) ? ResumeOutcome.EXPIRED : ResumeOutcome.INVALID;
            return null;
        }
        String next = tokens.next();
        boolean resumed = topic.resume(peer, this::peerList,
                peerList -> peer.resume(socket, requestId, credentials,
                        got -> List.of(control(new ServerMessage.Welcome(peer.id(), next, got)), peerList),
                        System.nanoTime(), received));
        if (!resumed) { // it left (grace period over) while we looked
            outcome[0] = ResumeOutcome.EXPIRED;
            return null;
        }
        tokens.register(next, peer);
        peer.flush();
        outcome[0] = ResumeOutcome.RESUMED;
        return peer;
    }

    // ---- relays and what peers must get ----

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
                    case MOVED -> forward(new RemoteMember(to, target.movedTo(), target.metadata()), from, text, msgId);
                };
            }
        }
        observer.relayed(type, result);
        return result;
    }

    private RelayResult forward(RemoteMember target, Peer from, String text, RawJson msgId) {
        if (SessionMigration.PARKED.equals(target.node())) {
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
                ? Frame.reply(ServerMessageEncoder.toJson(message)) : control(message);
        if (peer.enqueue(frame)) {
            peer.flush();
        } else {
            slowConsumer(peer);
        }
    }

    /** Flushes the recipients of a membership change and disconnects those that had no room for it. */
    void settle(Fanout fanout) {
        for (Peer recipient : fanout.recipients()) {
            recipient.flush();
        }
        fanout.slow().forEach(this::slowConsumer);
    }

    private void slowConsumer(Peer peer) {
        observer.slowConsumer();
        LOG.info(() -> "closing peer: its queue is full (" + peer.outbox().queuedBytes() + " bytes): slow consumer: "
                + peer.logContext());
        connectionFailed(peer, SLOW_CONSUMER, "slow consumer");
    }

    /** Relays that were accepted and then could not be delivered: each sender gets dropped with its msgId. */
    void undelivered(String topicName, List<Frame> relays) {
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

    // ---- what the node holds ----

    public void forEachPeer(Consumer<Peer> action) {
        topics.forEachPeer(action);
    }

    public int topicCount() {
        return topics.count();
    }

    public int peerCount() {
        return topics.peerCount();
    }

    /** Peers in that topic on this node (0 for no such topic). */
    public int topicSize(String topicName) {
        Topic topic = topics.get(topicName);
        return topic == null ? 0 : topic.size();
    }

    public long queuedFrames() {
        return topics.queuedFrames();
    }

    /** Bytes held by all queues of this node, and the cap. */
    public NodeQueueBudget queueBudget() {
        return limits.node();
    }

    public List<String> awayPeers(int limit) {
        return topics.awayPeers(limit);
    }

    public int busyPeers() {
        return topics.busyPeers();
    }

    public List<Map.Entry<String, Integer>> largestTopics(int limit) {
        return topics.largest(limit);
    }

    /** The topic of that name, for tests that look at its lock. */
    Topic topic(String name) {
        return topics.get(name);
    }

    Frame peerList(List<PeerRecord> records) {
        return control(new ServerMessage.PeerList(records));
    }

    static Frame control(ServerMessage message) {
        return Frame.control(ServerMessageEncoder.toJson(message));
    }

    static Frame presence(ServerMessage message) {
        return Frame.presence(ServerMessageEncoder.toJson(message));
    }
}
