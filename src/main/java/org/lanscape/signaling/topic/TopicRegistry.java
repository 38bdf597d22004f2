package org.lanscape.signaling.topic;

import com.github.f4b6a3.ulid.UlidCreator;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonValue;
import org.lanscape.signaling.cluster.BusListener;
import org.lanscape.signaling.cluster.Claim;
import org.lanscape.signaling.cluster.ClusterBus;
import org.lanscape.signaling.cluster.ClusterEvents;
import org.lanscape.signaling.config.SignalingConfig;
import org.lanscape.signaling.delivery.Frame;
import org.lanscape.signaling.delivery.NodeQueueBudget;
import org.lanscape.signaling.delivery.PeerSocket;
import org.lanscape.signaling.delivery.QueueLimits;
import org.lanscape.signaling.delivery.WriterThreads;
import org.lanscape.signaling.protocol.PeerRecord;
import org.lanscape.signaling.protocol.ServerMessage;
import org.lanscape.signaling.protocol.ServerMessageEncoder;
import org.lanscape.signaling.session.ClusterStandby;
import org.lanscape.signaling.session.Credentials;
import org.lanscape.signaling.session.Peer;
import org.lanscape.signaling.session.ResumeTokenStore;
import org.lanscape.signaling.session.SessionMigration;
import org.lanscape.signaling.session.SessionResume;
import org.lanscape.signaling.session.Sessions;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The peers of this node: joins and leaves, each locking only its own {@link Topic}, every frame
 * encoded once whatever the number of recipients. Relays are {@link Relays}'; the ways a session
 * ends are {@link Sessions}'; a resume is {@link SessionResume}'s; what the cluster bus delivers
 * goes through {@link #busListener}.
 */
@ApplicationScoped
public class TopicRegistry {

    private static final Logger LOG = Logger.getLogger(TopicRegistry.class.getName());
    /** Peer-lists of more peers than this are written part by part, never held whole. */
    static final int STREAMED_PEER_LIST = 32;

    private final Topics topics = new Topics();
    private SignalingConfig config;
    private TopicObserver observer;
    private ClusterBus bus;
    private QueueLimits limits;
    private ResumeTokenStore tokens;
    private Relays relays;
    private HeldRoom heldRoom;
    private Sessions sessions;
    private SessionResume resumes;
    private BusListener busListener;
    private WriterThreads writers; // every write to a connection runs on these

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
        this.writers = writers;
        this.limits = new QueueLimits(config.queueMaxBytes(), new NodeQueueBudget(config.nodeQueueMaxBytes()),
                this.observer::handedOff, config.sendWindow(), config.resumeReplayBytes(), writers,
                bytes -> heldRoom.test(bytes), new NodeQueueBudget(config.nodeQueueMaxBytes() / 4));
        this.tokens = new ResumeTokenStore(bus.nodeId(), new ClusterStandby(bus, config.resumeGrace()));
        this.relays = new Relays(topics, bus, this.observer, config.relayWait().toNanos(), () -> sessions);
        this.heldRoom = new HeldRoom(topics, relays);
        SessionMigration migration = new SessionMigration(this, topics, tokens, bus, limits,
                bus.claimTimeout().toNanos());
        this.sessions = new Sessions(this, relays, tokens, migration, config, this.observer);
        this.resumes = new SessionResume(this, topics, tokens, migration, bus, config);
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
        return () -> this;
    }

    /** What the cluster bus delivers to this node. */
    public BusListener busListener() {
        return busListener;
    }

    /** The ways a session ends, or is held instead. */
    public Sessions sessions() {
        return sessions;
    }

    /** Relays, and what peers must be told. */
    public Relays relays() {
        return relays;
    }

    /** Sessions coming back with their resume token. */
    public SessionResume resumes() {
        return resumes;
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
            // before it is reachable: a leave at once then forgets it; nobody knows it before the welcome
            tokens.register(token, peer);
        }
        int maxPeers = Math.min(config.topicMaxPeers(), credentials.maxPeers());
        Claim claim = Claim.UNCHECKED;
        while (true) {
            Topic topic = topics.getOrCreate(topicName);
            Topic.Joined result;
            try {
                topic.open(bus::open);
                claim = bus.claimPlace(topicName, peer.id(), metadata, maxPeers);
                result = claim == Claim.REFUSED ? Topic.Joined.FULL
                        : topic.add(peer, welcome, joined, this::peerList, maxPeers, notice);
            } catch (RuntimeException | Error e) {
                refused(peer, claim);
                throw e;
            }
            if (result.full()) {
                refused(peer, claim);
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

    /** A join that did not happen gives back what it took: its place on the node, its token, its claim if it made one. */
    private void refused(Peer peer, Claim claim) {
        tokens.forget(peer);
        topics.givePlace();
        if (claim != Claim.REFUSED) { // its entry may have been read already: its leave goes out too
            bus.left(peer.topic(), peer.id());
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

    /** Flushes the recipients of a membership change and gives up on those that had no room for it. */
    public void settle(Fanout fanout) {
        for (Peer recipient : fanout.recipients()) {
            recipient.flush();
        }
        fanout.slow().forEach(sessions::slowConsumer);
    }

    /** Whether sessions outlive a lost connection at all (a resume grace period is set). */
    public boolean resumeEnabled() {
        return !config.resumeGrace().isZero();
    }

    /** The topics of this node, and what they hold. */
    public Topics topics() {
        return topics;
    }

    /** Bytes held by all queues of this node, and the cap. */
    public NodeQueueBudget queueBudget() {
        return limits.node();
    }

    /** A newcomer's peer-list: a large one is written part by part from its records (see {@link PeerListParts}). */
    public Frame peerList(List<PeerRecord> records) {
        if (records.size() > STREAMED_PEER_LIST) {
            return Frame.streamed(new PeerListParts(records), PeerListParts.HELD_PER_PEER * records.size());
        }
        return control(new ServerMessage.PeerList(records));
    }

    public static Frame control(ServerMessage message) {
        return Frame.control(ServerMessageEncoder.toJson(message));
    }

    public static Frame presence(ServerMessage message) {
        return Frame.presence(ServerMessageEncoder.toJson(message));
    }
}
