package org.lanscape.signaling.topic;

import org.lanscape.signaling.session.Peer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The topics of this node and the count of its peers. There is no global lock: the map is a
 * {@link ConcurrentHashMap}, a topic is created on its first join and removed (and never reused)
 * when its last local peer goes.
 */
public final class Topics {

    private final ConcurrentHashMap<String, Topic> topics = new ConcurrentHashMap<>();
    private final AtomicInteger peers = new AtomicInteger();

    public Topic get(String name) {
        return topics.get(name);
    }

    public Topic getOrCreate(String name) {
        return topics.computeIfAbsent(name, Topic::new);
    }

    /** Removes this topic (not a newer one of the same name). */
    public void remove(Topic topic) {
        topics.remove(topic.name(), topic);
    }

    /** The peer with that id in that topic, or null. */
    public Peer peer(String topicName, String peerId) {
        Topic topic = topics.get(topicName);
        return topic == null ? null : topic.peer(peerId);
    }

    /** Takes a place for one more peer, if the node has fewer than {@code max}. */
    public boolean takePlace(int max) {
        if (peers.incrementAndGet() > max) {
            peers.decrementAndGet();
            return false;
        }
        return true;
    }

    public void givePlace() {
        peers.decrementAndGet();
    }

    /** Peers in that topic on this node (0 for no such topic). */
    public int size(String name) {
        Topic topic = topics.get(name);
        return topic == null ? 0 : topic.size();
    }

    public int peerCount() {
        return peers.get();
    }

    public int count() {
        return topics.size();
    }

    public Iterable<Topic> all() {
        return topics.values();
    }

    public List<String> names() {
        return List.copyOf(topics.keySet());
    }

    public void forEachPeer(Consumer<Peer> action) {
        for (Topic topic : topics.values()) {
            topic.peers().forEach(action);
        }
    }

    /** Frames waiting in all queues of this node. */
    public long queuedFrames() {
        long n = 0;
        for (Topic topic : topics.values()) {
            for (Peer peer : topic.peers()) {
                n += peer.outbox().queuedFrames();
            }
        }
        return n;
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

    /** Ids of peers away, waiting for a resume (at most {@code limit}). */
    public List<String> awayPeers(int limit) {
        List<String> away = new ArrayList<>();
        forEachPeer(peer -> {
            if (peer.isAway() && away.size() < limit) {
                away.add(peer.id());
            }
        });
        return away;
    }

    /** The {@code limit} largest topics, by number of peers. */
    public List<Map.Entry<String, Integer>> largest(int limit) {
        List<Map.Entry<String, Integer>> sizes = new ArrayList<>();
        for (Topic topic : topics.values()) {
            sizes.add(Map.entry(topic.name(), topic.size()));
        }
        sizes.sort(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()));
        return sizes.subList(0, Math.min(limit, sizes.size()));
    }
}
