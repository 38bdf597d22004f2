package org.lanscape.signaling.protocol;

import jakarta.websocket.Decoder;

/**
 * Decodes a client's text frame:
 * <pre>{"type": "offer", "to": "01J5...", "payload": {...}, "msgId": "abc"}</pre>
 * into a {@link ClientMessage}, in one strict pass ({@link JsonScanner}): {@code type} and
 * {@code to} are read, {@code payload} and {@code msgId} are validated and kept as the client's raw
 * text, never built into a tree; text after the object is refused. Anything that is not a JSON
 * object, or whose {@code type} or {@code to} is not a string, becomes a {@link MalformedMessage}.
 * A missing {@code type} decodes to "" and a missing {@code to} to null, which the endpoint answers
 * with the seed's {@code invalid_type} and {@code missing_target}. An empty or null msgId counts
 * as none (the seed's omitempty). Stateless: Liberty may call {@code decode} before {@code init}.
 * The endpoint calls it on the message it assembled from its parts: Liberty cannot give a
 * container's decoder a message in parts, the only shape that keeps the size limit (README.md, "Design").
 */
public class ClientMessageDecoder implements Decoder.Text<ClientFrame> {

    /** A msgId is echoed in errors and relayed: it is an id, not a second payload. */
    public static final int MAX_MSG_ID_LENGTH = 256;

    @Override
    public ClientFrame decode(String text) {
        Fields fields = new Fields(text);
        boolean ascii;
        try {
            ascii = JsonScanner.scanObject(text, fields);
        } catch (JsonScanner.Malformed e) {
            String problem = e.getMessage().equals("not an object") ? "message must be a JSON object"
                    : "message is not valid JSON: " + e.getMessage() + " at character " + e.at();
            return new MalformedMessage(problem, usable(fields.msgId(false))); // the msgId, if it came before the fault
        }
        RawJson msgId = fields.msgId(ascii);
        if (msgId != null && msgId.text().length() > MAX_MSG_ID_LENGTH) {
            return new MalformedMessage("'msgId' is longer than " + MAX_MSG_ID_LENGTH + " characters", null);
        }
        msgId = usable(msgId);
        if (fields.problem != null) {
            return new MalformedMessage(fields.problem, msgId);
        }
        return new ClientMessage(fields.type == null ? "" : fields.type, fields.to, fields.payload(ascii), msgId);
    }

    /** An empty or null msgId counts as none; one too long to echo is not echoed. */
    private static RawJson usable(RawJson msgId) {
        if (msgId == null || msgId.text().equals("null") || msgId.text().equals("\"\"")
                || msgId.text().length() > MAX_MSG_ID_LENGTH) {
            return null;
        }
        return msgId;
    }

    @Override
    public boolean willDecode(String text) {
        // Always: otherwise Liberty calls @OnMessage with null instead of reporting the bad frame.
        return true;
    }

    /** The members the protocol reads; the last of a repeated key wins. */
    private static final class Fields implements JsonScanner.Members {
        private final String text;
        String type;
        String to;
        private int payloadStart = -1;
        private int payloadEnd;
        private int msgIdStart = -1;
        private int msgIdEnd;
        String problem;

        Fields(String text) {
            this.text = text;
        }

        @Override
        public void member(String key, char first, String stringValue, int start, int end) {
            switch (key) {
                case "type" -> type = stringOrNull(key, first, stringValue, type);
                case "to" -> to = stringOrNull(key, first, stringValue, to);
                case "payload" -> {
                    payloadStart = start;
                    payloadEnd = end;
                }
                case "msgId" -> {
                    msgIdStart = start;
                    msgIdEnd = end;
                }
                default -> { }
            }
        }

        RawJson payload(boolean ascii) {
            return payloadStart < 0 ? null : new RawJson(text.substring(payloadStart, payloadEnd), ascii);
        }

        RawJson msgId(boolean ascii) {
            return msgIdStart < 0 ? null : new RawJson(text.substring(msgIdStart, msgIdEnd), ascii);
        }

        private String stringOrNull(String key, char first, String value, String previous) {
            if (first == '"') {
                return value;
            }
            if (first != 'n') { // null counts as absent
                problem = problem != null ? problem : "'" + key + "' must be a string";
            }
            return first == 'n' ? null : previous;
        }
    }
}
