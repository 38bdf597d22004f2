package org.lanscape.signaling.topic;

import org.lanscape.signaling.cluster.RemoteMember;
import org.lanscape.signaling.protocol.PeerRecord;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The peers of one topic. Joins and leaves of one topic are serialised by the topic's own lock, so
 * that every member sees membership events in the order they happened and a new peer's welcome and
 * peer-list are queued before any event about later peers; relays look peers up without a lock.
 * A topic is closed when its last peer leaves and is never reused after that.
 */
final class Topic {

    enum Removal { NOT_MEMBER, REMOVED, REMOVED_LAST }

    static final int CLOSED = -1;
    static final int FULL = -2;

    private final String name;
    private final ConcurrentHashMap<String, Peer> peers = new ConcurrentHashMap<>();
    /** Members connected to other nodes (cluster mode), kept current by the bus. */
    private final ConcurrentHashMap<String, RemoteMember> remote = new ConcurrentHashMap<>();
    private boolean closed; // guarded by this
    private boolean opened; // guarded by this: the bus was asked for the remote members

    Topic(String name) {
        this.name = name;
    }

    String name() {
        return name;
    }

    Peer peer(String id) {
        return peers.get(id);
    }

    RemoteMember remoteMember(String id) {
        return remote.get(id);
    }

    int size() {
        return peers.size();
    }

    Collection<Peer> peers() {
        return peers.values();
    }

    /**
     * Queues welcome and the peer-list (built by {@code peerList} from the current members) for the
     * new peer, broadcasts {@code joinedFrame} to the current members (skipping full queues) and
     * adds the peer. Returns the number of broadcasts skipped, {@link #CLOSED} if this topic is
     * closed, {@link #FULL} if it already holds {@code maxPeers}.
     */
    synchronized int add(Peer peer, Frame welcomeFrame, Frame joinedFrame,
                         Function<List<PeerRecord>, Frame> peerList, int maxPeers,
                         Function<String, Map<String, RemoteMember>> opener) {
        if (closed) {
            return CLOSED;
        }
        if (!opened) { // the first local peer: learn who is in the topic on other nodes
            remote.putAll(opener.apply(name));
            opened = true;
        }
        if (peers.size() + remote.size() >= maxPeers) {
            return FULL;
        }
        List<PeerRecord> records = records(null);
        // In the map before its welcome can reach it, and before the others hear of it: whoever
        // relays to it as soon as they know its id must find it.
        peers.put(peer.id(), peer);
        peer.offer(welcomeFrame);
        peer.offer(peerList.apply(records));
        return broadcast(joinedFrame, peer);
    }

    /** Removes the peer and broadcasts {@code leftFrame} to the rest; closes the topic when it empties. */
    synchronized Removal remove(Peer peer, Frame leftFrame, java.util.function.IntConsumer skipped,
                           Runnable onClosed) {
        if (!peers.remove(peer.id(), peer)) {
            return Removal.NOT_MEMBER;
        }
        skipped.accept(broadcast(leftFrame, null));
        if (peers.isEmpty()) {
            closed = true;
            onClosed.run();
            return Removal.REMOVED_LAST;
        }
        return Removal.REMOVED;
    }

    /**
     * A member comes back on a new connection: hands it the current peer-list (built under this
     * lock, so that no membership event slips between it and the ones that follow). False if it
     * is no longer a member.
     */
    synchronized boolean resume(Peer peer, Function<List<PeerRecord>, Frame> peerList,
                                java.util.function.Consumer<Frame> handOver) {
        if (closed || peers.get(peer.id()) != peer) {
            return false;
        }
        List<PeerRecord> records = records(peer);
        handOver.accept(peerList.apply(records));
        return true;
    }

    /**
     * A member's session moves to another node: it becomes a remote member on that node, nobody
     * sees it leave, and {@code send} gets the relays held for it (see {@link Peer#handOver}).
     * Closes the topic when it was the last local peer. False if it is no longer a member.
     */
    synchronized boolean handOver(Peer peer, String toNode, long received,
                                  java.util.function.Consumer<List<String>> send, Runnable onClosed) {
        if (closed || peers.get(peer.id()) != peer) {
            return false;
        }
        peer.handOver(toNode, received, send);
        // Remote before it stops being local: a relay finds it one way or the other.
        remote.put(peer.id(), new RemoteMember(peer.id(), toNode, peer.metadata()));
        peers.remove(peer.id(), peer);
        if (peers.isEmpty()) {
            closed = true;
            onClosed.run();
        }
        return true;
    }

    /**
     * A session handed over by another node arrives: the peer becomes local again without a
     * peer-joined (the local members knew it as remote), gets welcome, the current peer-list and
     * the relays held for it. False if this topic is closed.
     */
    synchronized boolean adopt(Peer peer, Frame welcomeFrame, Frame joinedFrame,
                               Function<List<PeerRecord>, Frame> peerList, List<Frame> held,
                               Function<String, Map<String, RemoteMember>> opener) {
        if (closed) {
            return false;
        }
        if (!opened) {
            remote.putAll(opener.apply(name));
            opened = true;
        }
        boolean known = remote.remove(peer.id()) != null;
        List<PeerRecord> records = records(null);
        List<Frame> start = new ArrayList<>(held.size() + 2);
        start.add(welcomeFrame);
        start.add(peerList.apply(records));
        start.addAll(held);
        peer.startWith(start); // before anyone can find it here: nothing overtakes its welcome
        peers.put(peer.id(), peer);
        if (!known) { // the local members had not heard of it (their view was behind)
            broadcast(joinedFrame, peer);
        }
        return true;
    }

    /** A remote member's session moved to another node. */
    void remoteMoved(String peerId, String toNode) {
        remote.computeIfPresent(peerId, (id, member) -> new RemoteMember(id, toNode, member.metadata()));
    }

    /** A peer joined on another node: remember it and tell the local members. */
    synchronized int remoteJoined(RemoteMember member, Frame joinedFrame) {
        if (closed || peers.containsKey(member.id()) || remote.putIfAbsent(member.id(), member) != null) {
            return 0;
        }
        return broadcast(joinedFrame, null);
    }

    /** A peer left on another node. */
    synchronized int remoteLeft(String peerId, Frame leftFrame) {
        if (closed || remote.remove(peerId) == null) {
            return 0;
        }
        return broadcast(leftFrame, null);
    }

    /** The remote members as Redis has them now: announce the differences to the local members. */
    synchronized void resync(Map<String, RemoteMember> current, Function<RemoteMember, Frame> joined,
                             Function<String, Frame> left) {
        if (closed) {
            return;
        }
        for (String id : List.copyOf(remote.keySet())) {
            if (!current.containsKey(id)) {
                remote.remove(id);
                broadcast(left.apply(id), null);
            }
        }
        for (RemoteMember member : current.values()) {
            if (!peers.containsKey(member.id()) && remote.putIfAbsent(member.id(), member) == null) {
                broadcast(joined.apply(member), null);
            }
        }
    }

    /** Local members' ids and metadata. */
    Map<String, jakarta.json.JsonValue> localMembers() {
        Map<String, jakarta.json.JsonValue> members = new java.util.HashMap<>();
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
        for (RemoteMember member : remote.values()) {
            records.add(new PeerRecord(member.id(), member.metadata()));
        }
        return records;
    }

        private int broadcast(Frame frame, Peer except) {
        int skipped = 0;
        for (Peer member : peers.values()) {
            if (member != except && !member.offer(frame)) {
                skipped++;
            }
        }
        return skipped;
    }
}
