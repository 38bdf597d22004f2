package org.lanscape.signaling.protocol;

/** The {@code type} values of the wire protocol. */
public final class MessageTypes {
    public static final String WELCOME = "welcome";
    public static final String PEER_LIST = "peer-list";
    public static final String PEER_JOINED = "peer-joined";
    public static final String PEER_LEFT = "peer-left";
    public static final String OFFER = "offer";
    public static final String ANSWER = "answer";
    public static final String ICE_CANDIDATE = "ice-candidate";
    public static final String ERROR = "error";

    private MessageTypes() {
    }

    /** The only types a client may send: they are relayed to one named peer. */
    public static boolean isRelayType(String type) {
        return OFFER.equals(type) || ANSWER.equals(type) || ICE_CANDIDATE.equals(type);
    }
}
