package org.lanscape.signaling.topic;

import jakarta.json.JsonValue;
import org.lanscape.signaling.cluster.RemoteMember;
import org.lanscape.signaling.delivery.Frame;
import org.lanscape.signaling.protocol.PeerRecord;
import org.lanscape.signaling.session.Peer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
    private final ConcurrentHashMap<String, RemoteMember> remote = new ConcurrentHashMap<>();
    private boolean closed; // guarded by this
    private boolean opened; // guarded by this: the remote members were read
    /** While the remote members are being read: the reading, and who left meanwhile. Guarded by this. */
    private CompletableFuture<Void> opening;
    private Set<String> departed;
    /**
     * While a resync's read of Redis is on its way: the members that live events changed since it
     * was asked for (their events are newer than what it will say of them). Guarded by this.
     */
    private Set<String> changedSinceResync;

    public Topic(String name) {
        this.name = name;
    }

    public String name() {
        return name;
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

    /**
     * Before the first local peer joins: learns the members on other nodes (a Redis round trip)
     * without holding this topic's lock, which the bus's events for the topic take; members who
     * leave meanwhile are not brought back by the answer; others joining meanwhile wait for it.
     */
    public void open(Function<String, Map<String, RemoteMember>> opener) {
        CompletableFuture<Void> reading;
        synchronized (this) {
            if (opened) {
                return;
            }
            if (opening != null) {
                reading = opening;
            } else {
                opening = new CompletableFuture<>();
                departed = new HashSet<>();
                reading = null;
            }
        }
        if (reading != null) {
            try {
                reading.join();
            } catch (java.util.concurrent.CompletionException failed) {
                open(opener); // the read failed: this join reads again
            }
            return;
        }
        Map<String, RemoteMember> snapshot;
        try {
            snapshot = opener.apply(name); // empty when Redis does not answer
        } catch (RuntimeException | Error e) { // joins waiting for this read must not wait forever
            CompletableFuture<Void> failed;
            synchronized (this) {
                failed = opening;
                opening = null;
                departed = null;
            }
            failed.completeExceptionally(e);
            throw e;
        }
        CompletableFuture<Void> done;
        synchronized (this) {
            for (RemoteMember member : snapshot.values()) {
                if (!departed.contains(member.id()) && !peers.containsKey(member.id())) {
                    remote.putIfAbsent(member.id(), member);
                }
            }
            opened = true;
            departed = null;
            done = opening;
            opening = null;
        }
        done.complete(null);
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
     * peer-joined (the local members knew it as remote), and starts with welcome, the current
     * peer-list and the relays held for it. Null if this topic is closed. Call {@link #open} first.
     */
    public synchronized Fanout adopt(Peer peer, Frame welcomeFrame, Frame joinedFrame,
                              Function<List<PeerRecord>, Frame> peerList, List<Frame> held) {
        if (closed) {
            return null;
        }
        boolean known = remote.remove(peer.id()) != null;
        List<Frame> start = new ArrayList<>(held.size() + 2);
        start.add(welcomeFrame);
        start.add(peerList.apply(records(null)));
        start.addAll(held);
        peer.startWith(start); // before anyone can find it here: nothing overtakes its welcome
        peers.put(peer.id(), peer);
        Fanout fanout = known ? Fanout.NONE : Fanout.of(peers.values(), peer, joinedFrame); // their view was behind
        return fanout.with(peer);
    }

    /** A remote member's session moved to another node. */
    public synchronized void remoteMoved(String peerId, String toNode) {
        changed(peerId);
        remote.computeIfPresent(peerId, (id, member) -> new RemoteMember(id, toNode, member.metadata()));
    }

    /** A peer joined on another node: remember it and tell the local members. */
    public synchronized Fanout remoteJoined(RemoteMember member, Frame joinedFrame) {
        changed(member.id());
        if (closed || peers.containsKey(member.id()) || remote.putIfAbsent(member.id(), member) != null) {
            return Fanout.NONE;
        }
        return Fanout.of(peers.values(), null, joinedFrame);
    }

    /** A peer left on another node. */
    public synchronized Fanout remoteLeft(String peerId, Frame leftFrame) {
        if (departed != null) {
            departed.add(peerId);
        }
        changed(peerId);
        if (closed || remote.remove(peerId) == null) {
            return Fanout.NONE;
        }
        return Fanout.of(peers.values(), null, leftFrame);
    }

    private void changed(String peerId) {
        if (changedSinceResync != null) {
            changedSinceResync.add(peerId);
        }
    }

    /** A resync's read of Redis is asked for now: live events from here on are newer than what it says. */
    public synchronized void resyncAsked() {
        changedSinceResync = new HashSet<>();
    }

    /**
     * The remote members as Redis had them when the resync was asked for: only real changes are
     * announced, and what live events changed since is left as they said. A member missing from
     * Redis is removed only if its node is {@code settled} (its entries in Redis are whole: it
     * registered since Redis last lost data); the members of a node that has not yet are kept, for
     * its sync to confirm or remove.
     */
    public synchronized List<Fanout> resync(Map<String, RemoteMember> current, java.util.function.Predicate<String> settled,
                                     Function<RemoteMember, Frame> joined, Function<String, Frame> left) {
        Set<String> changed = changedSinceResync == null ? Set.of() : changedSinceResync;
        changedSinceResync = null;
        if (closed) {
            return List.of();
        }
        List<Fanout> fanouts = new ArrayList<>();
        for (RemoteMember member : List.copyOf(remote.values())) {
            if (!current.containsKey(member.id()) && !changed.contains(member.id()) && settled.test(member.node())) {
                remote.remove(member.id());
                fanouts.add(Fanout.of(peers.values(), null, left.apply(member.id())));
            }
        }
        for (RemoteMember member : current.values()) {
            if (changed.contains(member.id()) || peers.containsKey(member.id())) {
                continue;
            }
            RemoteMember known = remote.put(member.id(), member);
            if (known == null) {
                fanouts.add(Fanout.of(peers.values(), null, joined.apply(member)));
            }
        }
        return fanouts;
    }

    /**
     * A node says which of its peers are in this topic (after it registered them again): its
     * members here become exactly those; only real changes are announced.
     */
    public synchronized List<Fanout> nodeSync(String node, Map<String, RemoteMember> members, Function<RemoteMember, Frame> joined,
                                       Function<String, Frame> left) {
        if (closed) {
            return List.of();
        }
        List<Fanout> fanouts = new ArrayList<>();
        for (RemoteMember member : List.copyOf(remote.values())) {
            if (member.node().equals(node) && !members.containsKey(member.id())) {
                changed(member.id());
                remote.remove(member.id());
                fanouts.add(Fanout.of(peers.values(), null, left.apply(member.id())));
            }
        }
        for (RemoteMember member : members.values()) {
            changed(member.id());
            if (!peers.containsKey(member.id()) && remote.put(member.id(), member) == null) {
                fanouts.add(Fanout.of(peers.values(), null, joined.apply(member)));
            }
        }
        return fanouts;
    }

    /** A node is gone (dead, its presence reaped): its members leave here. */
    public synchronized List<Fanout> nodeGone(String node, Function<String, Frame> left) {
        List<Fanout> fanouts = new ArrayList<>();
        if (!closed) {
            for (RemoteMember member : List.copyOf(remote.values())) {
                if (member.node().equals(node)) {
                    changed(member.id());
                    remote.remove(member.id());
                    fanouts.add(Fanout.of(peers.values(), null, left.apply(member.id())));
                }
            }
        }
        return fanouts;
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
        for (RemoteMember member : remote.values()) {
            records.add(new PeerRecord(member.id(), member.metadata()));
        }
        return records;
    }
}
