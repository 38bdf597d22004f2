package org.lanscape.signaling.topic;

import org.lanscape.signaling.delivery.Frame;
import org.lanscape.signaling.session.Peer;

import java.util.ArrayList;
import java.util.List;

/**
 * What a change of a topic's membership queued, under the topic's lock: the peers that got a
 * frame (to be flushed once the lock is released) and the slow consumers among them, which had
 * no room for it (to be disconnected: presence is never skipped).
 */
public final class Fanout {

    static final Fanout NONE = new Fanout(List.of(), List.of());

    private final List<Peer> recipients;
    private final List<Peer> slow;

    private Fanout(List<Peer> recipients, List<Peer> slow) {
        this.recipients = recipients;
        this.slow = slow;
    }

    /** Queues the frame for each member but {@code except}. */
    public static Fanout of(Iterable<Peer> members, Peer except, Frame frame) {
        List<Peer> recipients = new ArrayList<>();
        List<Peer> slow = null;
        for (Peer member : members) {
            if (member == except) {
                continue;
            }
            recipients.add(member);
            if (!member.enqueue(frame)) {
                if (slow == null) {
                    slow = new ArrayList<>(1);
                }
                slow.add(member);
            }
        }
        return new Fanout(recipients, slow == null ? List.of() : slow);
    }

    /** One more peer to flush (a newcomer, whose welcome was queued). */
    public Fanout with(Peer peer) {
        List<Peer> all = new ArrayList<>(recipients.size() + 1);
        all.add(peer);
        all.addAll(recipients);
        return new Fanout(all, slow);
    }

    public List<Peer> recipients() {
        return recipients;
    }

    public List<Peer> slow() {
        return slow;
    }
}
