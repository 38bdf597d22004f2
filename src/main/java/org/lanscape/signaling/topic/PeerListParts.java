package org.lanscape.signaling.topic;

import org.lanscape.signaling.delivery.TextSource;
import org.lanscape.signaling.protocol.PeerRecord;
import org.lanscape.signaling.protocol.ServerMessageEncoder;
import org.lanscape.signaling.protocol.Utf8;

import java.util.List;

/**
 * A peer-list written part by part from the members it lists (their ids and the metadata they
 * share with every other frame about them), never held whole: a newcomer to a room of 1 000 peers
 * with 4 KiB of metadata each holds this, not 4 MiB of text, until its client has read it all. The
 * text is exactly {@link ServerMessageEncoder}'s.
 */
final class PeerListParts implements TextSource {

    /** What one listed member holds here, counted against the budgets: the record and its slot. */
    static final int HELD_PER_PEER = 48;

    private final List<PeerRecord> records;
    /** The next element: -1 the head, 0..n-1 the records, n the end; n + 1 when none is left. */
    private int next = -1;
    private String element = "";
    private int at;
    private boolean done;

    PeerListParts(List<PeerRecord> records) {
        this.records = records;
    }

    @Override
    public String next(int maxChars) {
        StringBuilder part = new StringBuilder(Math.min(maxChars, 8192));
        while (part.length() < maxChars) {
            if (at == element.length()) {
                if (next > records.size()) {
                    break;
                }
                element = element(next++);
                at = 0;
            }
            int room = maxChars - part.length();
            int end = Utf8.partEnd(element, at, room);
            if (end - at > room && part.length() > 0) {
                break; // a surrogate pair where one character fits: it begins the next part
            }
            part.append(element, at, end);
            at = end;
        }
        done = at == element.length() && next > records.size();
        return part.toString();
    }

    @Override
    public boolean done() {
        return done;
    }

    private String element(int index) {
        if (index < 0) {
            return ServerMessageEncoder.PEER_LIST_HEAD;
        }
        return index < records.size() ? ServerMessageEncoder.peerRecord(records.get(index), index == 0)
                : ServerMessageEncoder.PEER_LIST_END;
    }
}
