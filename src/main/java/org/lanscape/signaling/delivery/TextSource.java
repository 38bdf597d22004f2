package org.lanscape.signaling.delivery;

/**
 * A message's text made part by part as it is written, never held whole: a peer-list of a large
 * room would otherwise hold megabytes for every newcomer until its client had read them.
 */
public interface TextSource {

    /** The next part: at least one and at most {@code maxChars} characters, never half a surrogate pair. */
    String next(int maxChars);

    /** True once the part last returned ended the message. */
    boolean done();
}
