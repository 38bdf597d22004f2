package org.lanscape.signaling.session;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The resume tokens of this node's resumable peers, and for a minute the tokens whose session
 * expired (to tell "expired" from "invalid"). A token is taken once: a resume or a hand-over
 * removes it, and only then goes on. The {@link Keeper} hears of each token a live session holds
 * and of its end (in a cluster it keeps what a resume needs if this node dies).
 */
public final class ResumeTokenStore {

    /** Told of each token a session holds now, and of each it no longer holds. */
    public interface Keeper {
        void holds(Peer peer, String token);

        void released(Peer peer, String token);

        Keeper NONE = new Keeper() {
            @Override
            public void holds(Peer peer, String token) {
            }

            @Override
            public void released(Peer peer, String token) {
            }
        };
    }

    private final String node;
    private final Keeper keeper;
    private final ConcurrentHashMap<String, Peer> live = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> expired = new ConcurrentHashMap<>();

    public ResumeTokenStore(String node) {
        this(node, Keeper.NONE);
    }

    public ResumeTokenStore(String node, Keeper keeper) {
        this.node = node;
        this.keeper = keeper;
    }

    /** A new token for the peer, which replaces the one it had. */
    public String issue(Peer peer) {
        String token = ResumeTokens.issue(node);
        String previous = peer.resumeToken();
        if (previous != null) {
            live.remove(previous, peer);
        }
        peer.resumeToken(token);
        live.put(token, peer);
        keeper.holds(peer, token);
        return token;
    }

    /** A token made ahead of its peer (a welcome is encoded before the peer is in its topic); see {@link #register}. */
    public String next() {
        return ResumeTokens.issue(node);
    }

    public void register(String token, Peer peer) {
        peer.resumeToken(token);
        live.put(token, peer);
        keeper.holds(peer, token);
    }

    /**
     * The peer of a token, if it is for that topic and {@code allowed} (the same subject): taken,
     * so that only one resume has it. Null otherwise.
     */
    public Peer take(String token, String topic, java.util.function.Predicate<Peer> allowed) {
        Peer peer = live.get(token);
        if (peer == null || !peer.topic().equals(topic) || !allowed.test(peer) || !live.remove(token, peer)) {
            return null;
        }
        keeper.released(peer, token);
        return peer;
    }

    /** The peer left: its token resumes nothing any more. */
    public void forget(Peer peer) {
        String token = peer.resumeToken();
        if (token != null && live.remove(token, peer)) {
            keeper.released(peer, token);
        }
    }

    /** The peer's session expired: its token reads as expired for a while. */
    public void expired(Peer peer, long now) {
        forget(peer);
        String token = peer.resumeToken();
        if (token != null) {
            expired.put(token, now);
        }
    }

    public boolean isExpired(String token) {
        return expired.containsKey(token);
    }

    /** Forgets expired tokens older than a minute. */
    public void forgetStale(long now) {
        long minute = TimeUnit.MINUTES.toNanos(1);
        expired.values().removeIf(at -> now - at > minute);
    }
}
