package org.lanscape.signaling.protocol;

import jakarta.websocket.Encoder;

/**
 * Encodes every {@link ServerMessage} to its JSON text (each record's doc shows the JSON), leaving
 * null components out. The registry encodes each message once through {@link #toJson} and hands
 * the same text to every recipient, so a broadcast costs one encoding. Every message is written
 * directly (JSON-B took a fifth of a connection's handshake): strings escaped, a relay's payload
 * and msgId and a peer's metadata as the JSON they are. Stateless. Not the container's encoder: that
 * would run once per send, after the frame is queued, where the byte budgets need its size before
 * (README.md, "Design").
 */
public class ServerMessageEncoder implements Encoder.Text<ServerMessage> {

    public static String toJson(ServerMessage message) {
        if (message instanceof ServerMessage.Relayed relayed) {
            return relayed(relayed);
        }
        if (message instanceof ServerMessage.Error error) {
            return error(error);
        }
        StringBuilder json = new StringBuilder(64);
        json.append("{\"type\":");
        string(json, message.type());
        if (message instanceof ServerMessage.Welcome welcome) {
            json.append(",\"selfId\":");
            string(json, welcome.selfId());
            if (welcome.resumeToken() != null) {
                json.append(",\"resumeToken\":");
                string(json, welcome.resumeToken());
            }
            if (welcome.received() != null) {
                json.append(",\"received\":").append(welcome.received().longValue());
            }
        } else if (message instanceof ServerMessage.PeerList list) {
            if (list.peers() != null) {
                json.append(",\"peers\":["); // as PEER_LIST_HEAD ends
                for (int i = 0; i < list.peers().size(); i++) {
                    json.append(peerRecord(list.peers().get(i), i == 0));
                }
                json.append(']');
            }
        } else if (message instanceof ServerMessage.PeerJoined joined) {
            json.append(",\"peerId\":");
            string(json, joined.peerId());
            metadata(json, joined.metadata());
        } else if (message instanceof ServerMessage.PeerLeft left) {
            json.append(",\"peerId\":");
            string(json, left.peerId());
        }
        return json.append('}').toString();
    }

    /** How a peer-list with peers begins: {@link #peerRecord}s follow, then {@link #PEER_LIST_END}. */
    public static final String PEER_LIST_HEAD = "{\"type\":\"peer-list\",\"peers\":[";
    public static final String PEER_LIST_END = "]}";

    /** One peer of a peer-list, with the comma before it unless it is the {@code first}. */
    public static String peerRecord(PeerRecord peer, boolean first) {
        StringBuilder json = new StringBuilder(64);
        json.append(first ? "{\"id\":" : ",{\"id\":");
        string(json, peer.id());
        metadata(json, peer.metadata());
        return json.append('}').toString();
    }

    private static void metadata(StringBuilder json, jakarta.json.JsonValue metadata) {
        if (metadata != null) {
            json.append(",\"metadata\":").append(metadata); // JSON-P writes a value as its JSON text
        }
    }

    private static String relayed(ServerMessage.Relayed m) {
        if (plain(m.type()) && plain(m.from())) { // as they always are: one copy of the payload, into the result
            RawJson payload = m.payload();
            RawJson msgId = m.msgId();
            return "{\"type\":\"" + m.type() + "\",\"from\":\"" + m.from() + '"'
                    + (payload == null ? "" : ",\"payload\":") + (payload == null ? "" : payload.text())
                    + (msgId == null ? "" : ",\"msgId\":") + (msgId == null ? "" : msgId.text()) + '}';
        }
        StringBuilder json = new StringBuilder(64 + length(m.payload()) + length(m.msgId()));
        json.append("{\"type\":");
        string(json, m.type());
        json.append(",\"from\":");
        string(json, m.from());
        if (m.payload() != null) {
            json.append(",\"payload\":").append(m.payload().text());
        }
        if (m.msgId() != null) {
            json.append(",\"msgId\":").append(m.msgId().text());
        }
        return json.append('}').toString();
    }

    private static String error(ServerMessage.Error m) {
        StringBuilder json = new StringBuilder(96 + length(m.msgId()));
        json.append("{\"type\":\"error\",\"code\":");
        string(json, m.code());
        json.append(",\"message\":");
        string(json, m.message());
        if (m.msgId() != null) {
            json.append(",\"msgId\":").append(m.msgId().text());
        }
        return json.append('}').toString();
    }

    /** Printable ASCII that needs no escape in a JSON string. */
    private static boolean plain(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /** True when the relayed frame of that payload and msgId is ASCII (its type and sender id always are). */
    public static boolean isAscii(RawJson payload, RawJson msgId) {
        return (payload == null || payload.ascii()) && (msgId == null || msgId.ascii());
    }

    private static int length(RawJson raw) {
        return raw == null ? 0 : raw.text().length();
    }

    /** Appends a JSON string literal. */
    static void string(StringBuilder json, String value) {
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }

    @Override
    public String encode(ServerMessage message) {
        return toJson(message);
    }
}
