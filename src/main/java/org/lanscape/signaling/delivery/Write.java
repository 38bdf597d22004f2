package org.lanscape.signaling.delivery;

/**
 * One write, claimed under the lock and run without it: a ping ({@code frame} null), a whole
 * frame's {@code text}, or a part of one, {@code last} when it ends the message.
 */
record Write(PeerSocket socket, SendWindow window, Frame frame, long token, String text, boolean whole,
             boolean last) {

    /** Runs the write; the failure, or null. */
    Throwable run() {
        try {
            if (frame == null) {
                socket.ping(token);
            } else if (whole) {
                socket.send(text);
            } else {
                socket.sendPart(text, last);
            }
            return null;
        } catch (Exception e) {
            return e;
        }
    }
}
