package org.lanscape.signaling.topic;

import org.lanscape.signaling.delivery.Frame;
import org.lanscape.signaling.session.Peer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

/**
 * Room in the node's budget for a peer that reads, taken from the sessions held for a resume
 * that hold the most: their relays are answered {@code dropped} (their senders hear of it), so
 * that connections that never read cannot hold the node at its cap and starve everyone else of
 * relays. Runs with no lock held, one at a time.
 */
final class HeldRoom implements LongPredicate {

    /** After a look that found nothing to take, the next waits this long: the cap is held by peers that read. */
    private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private record Holder(Peer peer, long bytes) {
    }

    private final Topics topics;
    private final Relays relays;
    private long nothingUntil;

    HeldRoom(Topics topics, Relays relays) {
        this.topics = topics;
        this.relays = relays;
    }

    /** Frees at least {@code bytes}, largest holder first; true if it freed any. */
    @Override
    public synchronized boolean test(long bytes) {
        long now = System.nanoTime();
        if (nothingUntil != 0 && now - nothingUntil < 0) {
            return false;
        }
        List<Holder> held = new ArrayList<>();
        topics.forEachPeer(peer -> {
            long holds = peer.isAway() ? peer.outbox().queuedBytes() : 0;
            if (holds > 0) {
                held.add(new Holder(peer, holds)); // the size read once: it changes while we look
            }
        });
        held.sort(Comparator.comparingLong(Holder::bytes).reversed());
        long freed = 0;
        for (Holder holder : held) {
            if (freed >= bytes) {
                break;
            }
            List<Frame> taken = holder.peer().outbox().removeRelays();
            for (Frame relay : taken) {
                freed += relay.bytes();
            }
            relays.undelivered(holder.peer().topic(), taken);
        }
        nothingUntil = freed > 0 ? 0 : now + QUIET_NANOS;
        return freed > 0;
    }
}
