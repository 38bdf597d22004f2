package org.lanscape.signaling.session;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The resume tokens of this node's resumable peers, and for a minute the tokens whose session
 * expired (to tell "expired" from "invalid"). A token is taken once: a resume or a hand-over
 * removes it, and only then goes on.
 */
public final class ResumeTokenStore {

    private final String node;
    private final ConcurrentHashMap<String, Peer> live = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> expired = new ConcurrentHashMap<>();

    public ResumeTokenStore(String node) {
        this.node = node;
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
        return token;
    }

    /** A token made ahead of its peer (a welcome is encoded before the peer is in its topic); see {@link #register}. */
    public String next() {
        return ResumeTokens.issue(node);
    }

    public void register(String token, Peer peer) {
        peer.resumeToken(token);
        live.put(token, peer);
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
        return peer;
    }

    /** The peer left: its token resumes nothing any more. */
    public void forget(Peer peer) {
        String token = peer.resumeToken();
        if (token != null) {
            live.remove(token, peer);
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
