package org.lanscape.signaling.topic;

import jakarta.json.JsonValue;
import org.lanscape.signaling.cluster.RemoteMember;
import org.lanscape.signaling.delivery.Frame;
import org.lanscape.signaling.protocol.PeerRecord;
import org.lanscape.signaling.session.Peer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The peers of one topic. Membership changes are serialised by the topic's own lock, so that
 * every member sees membership events in the order they happened and a new peer's welcome and
 * peer-list are queued before any event about later peers; relays look peers up without a lock.
 * Frames are only queued under the lock: the {@link Fanout} that each change returns is flushed
 * by the caller afterwards. A topic is closed when its last peer leaves and never reused.
 */
public final class Topic {

    enum Removal { NOT_MEMBER, REMOVED, REMOVED_LAST }

    /** What a join did: refused (closed, full), or queued this fanout. */
    public record Joined(Fanout fanout, boolean closed, boolean full) {
        static final Joined CLOSED = new Joined(Fanout.NONE, true, false);
        static final Joined FULL = new Joined(Fanout.NONE, false, true);
    }

    private final String name;
    private final ConcurrentHashMap<String, Peer> peers = new ConcurrentHashMap<>();
    /** Members connected to other nodes (cluster mode), kept current by the bus. */
    private final RemoteMembers remote = new RemoteMembers(this);
    private boolean closed; // guarded by this

    public Topic(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** The members on other nodes, as the cluster reports them; changed under this topic's lock. */
    public RemoteMembers remote() {
        return remote;
    }

    /** Under this topic's lock. */
    boolean isClosed() {
        return closed;
    }

    /** Whether that peer is a member on this node. */
    public boolean isLocal(String id) {
        return peers.containsKey(id);
    }

    public Peer peer(String id) {
        return peers.get(id);
    }

    public RemoteMember remoteMember(String id) {
        return remote.get(id);
    }

    /** Local peers. */
    public int size() {
        return peers.size();
    }

    public Collection<Peer> peers() {
        return peers.values();
    }

    /** Learns the members on other nodes before the first local peer joins (see {@link RemoteMembers#open}). */
    public void open(Function<String, Map<String, RemoteMember>> opener) {
        remote.open(opener);
    }

    /**
     * Adds the peer: it starts with welcome and the peer-list (built by {@code peerList} from the
     * current members), the others get {@code joinedFrame}. Refused when this topic is closed or
     * holds {@code maxPeers} already. Call {@link #open} first.
     */
    public synchronized Joined add(Peer peer, Frame welcomeFrame, Frame joinedFrame,
                            Function<List<PeerRecord>, Frame> peerList, int maxPeers, Frame notice) {
        if (closed) {
            return Joined.CLOSED;
        }
        if (peers.size() + remote.size() >= maxPeers) {
            return Joined.FULL;
        }
        List<PeerRecord> records = records(null);
        // In the map before its welcome can reach it, and before the others hear of it: whoever
        // relays to it as soon as they know its id must find it.
        peers.put(peer.id(), peer);
        Frame list = peerList.apply(records);
        // a notice (resume_failed) right after the peer-list, before any membership event
        peer.startWith(notice == null ? List.of(welcomeFrame, list) : List.of(welcomeFrame, list, notice));
        return new Joined(Fanout.of(peers.values(), peer, joinedFrame).with(peer), false, false);
    }

    /** Removes the peer and tells the rest; closes the topic when it empties (then {@code onClosed}). */
    public synchronized Fanout remove(Peer peer, Frame leftFrame, Runnable onClosed, Removal[] removal) {
        if (!peers.remove(peer.id(), peer)) {
            removal[0] = Removal.NOT_MEMBER;
            return Fanout.NONE;
        }
        Fanout fanout = Fanout.of(peers.values(), null, leftFrame);
        removal[0] = Removal.REMOVED;
        if (peers.isEmpty()) {
            closed = true;
            onClosed.run();
            removal[0] = Removal.REMOVED_LAST;
        }
        return fanout;
    }

    /**
     * A member comes back on a new connection: {@code resume} gets the current peer-list, built
     * under this lock so that no membership event slips between it and the ones that follow.
     * False if it is no longer a member (or the resume refused).
     */
    public synchronized boolean resume(Peer peer, Function<List<PeerRecord>, Frame> peerList,
                                java.util.function.Predicate<Frame> resume) {
        if (closed || peers.get(peer.id()) != peer) {
            return false;
        }
        return resume.test(peerList.apply(records(peer)));
    }

    /**
     * A member's session moves to another node: it becomes a remote member there, nobody sees it
     * leave. Closes the topic when it was the last local peer. False if it is no longer a member.
     */
    public synchronized boolean moved(Peer peer, String toNode, Runnable onClosed) {
        if (closed || peers.get(peer.id()) != peer) {
            return false;
        }
        // Remote before it stops being local: a relay finds it one way or the other.
        remote.put(new RemoteMember(peer.id(), toNode, peer.metadata()));
        peers.remove(peer.id(), peer);
        if (peers.isEmpty()) {
            closed = true;
            onClosed.run();
        }
        return true;
    }

    /**
     * A session handed over by another node arrives: the peer becomes local again without a
     * peer-joined (the local members knew it as remote), and starts with welcome, the current
     * peer-list and the relays held for it. Null if this topic is closed. Call {@link #open} first.
     */
    public synchronized Fanout adopt(Peer peer, Frame welcomeFrame, Frame joinedFrame,
                              Function<List<PeerRecord>, Frame> peerList, List<Frame> held) {
        if (closed) {
            return null;
        }
        boolean known = remote.remove(peer.id());
        List<Frame> start = new ArrayList<>(held.size() + 2);
        start.add(welcomeFrame);
        start.add(peerList.apply(records(null)));
        start.addAll(held);
        peer.startWith(start); // before anyone can find it here: nothing overtakes its welcome
        peers.put(peer.id(), peer);
        Fanout fanout = known ? Fanout.NONE : Fanout.of(peers.values(), peer, joinedFrame); // their view was behind
        return fanout.with(peer);
    }

    /** Runs {@code action} on the local members while no membership change of this topic can happen. */
    public synchronized void withLocalMembers(java.util.function.Consumer<Map<String, JsonValue>> action) {
        if (!closed) {
            action.accept(localMembers());
        }
    }

    /** Local members' ids and metadata. */
    public Map<String, JsonValue> localMembers() {
        Map<String, JsonValue> members = new HashMap<>();
        for (Peer peer : peers.values()) {
            members.put(peer.id(), peer.metadata());
        }
        return members;
    }

    /** Every member, local and remote, but {@code except}: what a peer-list holds. */
    private List<PeerRecord> records(Peer except) {
        List<PeerRecord> records = new ArrayList<>(peers.size() + remote.size());
        for (Peer member : peers.values()) {
            if (member != except) {
                records.add(member.record());
            }
        }
        for (RemoteMember member : remote.all()) {
            records.add(new PeerRecord(member.id(), member.metadata()));
        }
        return records;
    }
}
