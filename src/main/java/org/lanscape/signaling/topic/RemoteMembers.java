package org.lanscape.signaling.topic;

import org.lanscape.signaling.cluster.RemoteMember;
import org.lanscape.signaling.delivery.Frame;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The members of one {@link Topic} on other nodes, as the cluster reports them: read when the
 * topic opens, then kept current by the bus's events, a resync, a node's sync or a dead node's
 * purge. Every change holds the topic's lock, so that it and the topic's own membership events
 * reach the local members in one order; each returns the {@link Fanout} the caller settles.
 */
public final class RemoteMembers {

    private final Topic topic;
    private final ConcurrentHashMap<String, RemoteMember> remote = new ConcurrentHashMap<>();
    private boolean opened; // guarded by the topic: the remote members were read
    /** While the remote members are being read: the reading, and who left meanwhile. Guarded by the topic. */
    private CompletableFuture<Void> opening;
    private Set<String> departed;
    /**
     * While a resync's read of Redis is on its way: the members that live events changed since it
     * was asked for (their events are newer than what it will say of them). Guarded by the topic.
     */
    private Set<String> changedSinceResync;

    RemoteMembers(Topic topic) {
        this.topic = topic;
    }

    RemoteMember get(String id) {
        return remote.get(id);
    }

    int size() {
        return remote.size();
    }

    Collection<RemoteMember> all() {
        return remote.values();
    }

    /** Under the topic's lock: a local member became remote (its session moved). */
    void put(RemoteMember member) {
        remote.put(member.id(), member);
    }

    /** Under the topic's lock: true if it was known as remote. */
    boolean remove(String id) {
        return remote.remove(id) != null;
    }

    /**
     * Before the first local peer joins: learns the members on other nodes (a Redis round trip)
     * without holding the topic's lock, which the bus's events for the topic take; members who
     * leave meanwhile are not brought back by the answer; others joining meanwhile wait for it.
     */
    void open(Function<String, Map<String, RemoteMember>> opener) {
        CompletableFuture<Void> reading;
        synchronized (topic) {
            if (opened) {
                return;
            }
            reading = opening;
            if (reading == null) {
                opening = new CompletableFuture<>();
                departed = new HashSet<>();
            }
        }
        if (reading != null) {
            try {
                reading.join();
            } catch (CompletionException failed) {
                open(opener); // the read failed: this join reads again
            }
            return;
        }
        Map<String, RemoteMember> snapshot;
        try {
            snapshot = opener.apply(topic.name()); // empty when Redis does not answer
        } catch (RuntimeException | Error e) { // joins waiting for this read must not wait forever
            CompletableFuture<Void> failed;
            synchronized (topic) {
                failed = opening;
                opening = null;
                departed = null;
            }
            failed.completeExceptionally(e);
            throw e;
        }
        CompletableFuture<Void> done;
        synchronized (topic) {
            for (RemoteMember member : snapshot.values()) {
                if (!departed.contains(member.id()) && !topic.isLocal(member.id())) {
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

    /** A remote member's session moved to another node. */
    public void moved(String peerId, String toNode) {
        synchronized (topic) {
            changed(peerId);
            remote.computeIfPresent(peerId, (id, member) -> new RemoteMember(id, toNode, member.metadata()));
        }
    }

    /** A peer joined on another node: remember it and tell the local members. */
    public Fanout joined(RemoteMember member, Frame joinedFrame) {
        synchronized (topic) {
            changed(member.id());
            if (topic.isClosed() || topic.isLocal(member.id()) || remote.putIfAbsent(member.id(), member) != null) {
                return Fanout.NONE;
            }
            return Fanout.of(topic.peers(), null, joinedFrame);
        }
    }

    /** A peer left on another node. */
    public Fanout left(String peerId, Frame leftFrame) {
        synchronized (topic) {
            if (departed != null) {
                departed.add(peerId);
            }
            changed(peerId);
            if (topic.isClosed() || remote.remove(peerId) == null) {
                return Fanout.NONE;
            }
            return Fanout.of(topic.peers(), null, leftFrame);
        }
    }

    /** A resync's read of Redis is asked for now: live events from here on are newer than what it says. */
    public void resyncAsked() {
        synchronized (topic) {
            changedSinceResync = new HashSet<>();
        }
    }

    /**
     * The remote members as Redis had them when the resync was asked for: only real changes are
     * announced, and what live events changed since is left as they said. A member missing from
     * Redis is removed only if its node is {@code settled} (its entries in Redis are whole: it
     * registered since Redis last lost data); the members of a node that has not yet are kept, for
     * its sync to confirm or remove.
     */
    public List<Fanout> resync(Map<String, RemoteMember> current, Predicate<String> settled,
                               Function<RemoteMember, Frame> joined, Function<String, Frame> left) {
        synchronized (topic) {
            Set<String> changed = changedSinceResync == null ? Set.of() : changedSinceResync;
            changedSinceResync = null;
            if (topic.isClosed()) {
                return List.of();
            }
            List<Fanout> fanouts = new ArrayList<>();
            for (RemoteMember member : List.copyOf(remote.values())) {
                if (!current.containsKey(member.id()) && !changed.contains(member.id()) && settled.test(member.node())) {
                    remote.remove(member.id());
                    fanouts.add(Fanout.of(topic.peers(), null, left.apply(member.id())));
                }
            }
            for (RemoteMember member : current.values()) {
                if (!changed.contains(member.id()) && !topic.isLocal(member.id())
                        && remote.put(member.id(), member) == null) {
                    fanouts.add(Fanout.of(topic.peers(), null, joined.apply(member)));
                }
            }
            return fanouts;
        }
    }

    /**
     * A node says which of its peers are in this topic (after it registered them again): its
     * members here become exactly those; only real changes are announced.
     */
    public List<Fanout> nodeSync(String node, Map<String, RemoteMember> members, Function<RemoteMember, Frame> joined,
                                 Function<String, Frame> left) {
        synchronized (topic) {
            if (topic.isClosed()) {
                return List.of();
            }
            List<Fanout> fanouts = removeNode(node, members::containsKey, left);
            for (RemoteMember member : members.values()) {
                changed(member.id());
                if (!topic.isLocal(member.id()) && remote.put(member.id(), member) == null) {
                    fanouts.add(Fanout.of(topic.peers(), null, joined.apply(member)));
                }
            }
            return fanouts;
        }
    }

    /** A node is gone (dead, its presence reaped): its members leave here. */
    public List<Fanout> nodeGone(String node, Function<String, Frame> left) {
        synchronized (topic) {
            return topic.isClosed() ? List.of() : removeNode(node, id -> false, left);
        }
    }

    /** The members of that node but those {@code kept}: removed, each with its peer-left. */
    private List<Fanout> removeNode(String node, Predicate<String> kept, Function<String, Frame> left) {
        List<Fanout> fanouts = new ArrayList<>();
        for (RemoteMember member : List.copyOf(remote.values())) {
            if (member.node().equals(node) && !kept.test(member.id())) {
                changed(member.id());
                remote.remove(member.id());
                fanouts.add(Fanout.of(topic.peers(), null, left.apply(member.id())));
            }
        }
        return fanouts;
    }

    private void changed(String peerId) {
        if (changedSinceResync != null) {
            changedSinceResync.add(peerId);
        }
    }
}
