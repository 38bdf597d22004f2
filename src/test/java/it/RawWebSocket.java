package it;

import org.lanscape.signaling.delivery.Frame;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client written on a bare TCP socket, for what a polite client cannot do: stop
 * reading, ignore pings, vanish without a close frame, send malformed frames.
 */
final class RawWebSocket implements AutoCloseable {

    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;

    record Frame(int opcode, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        int closeCode() {
            return payload.length < 2 ? 1005 : ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final String responseHead;

    /** Opens the connection; {@code receiveBuffer} > 0 shrinks the socket's receive buffer first. */
    RawWebSocket(URI wsUri, int receiveBuffer) throws IOException {
        this(wsUri, receiveBuffer, "");
    }

    /** As above, with extra request header lines ("Name: value\r\n" each). */
    RawWebSocket(URI wsUri, int receiveBuffer, String extraHeaders) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress(wsUri.getHost(), wsUri.getPort()), 10_000);
        socket.setSoTimeout(20_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        String target = wsUri.getRawQuery() == null ? wsUri.getRawPath() : wsUri.getRawPath() + "?" + wsUri.getRawQuery();
        out.write(("GET " + target + " HTTP/1.1\r\nHost: " + wsUri.getHost() + ":" + wsUri.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="
                + "\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        responseHead = readHeaders();
        if (!responseHead.startsWith("HTTP/1.1 101")) {
            throw new IOException("handshake refused: " + responseHead);
        }
    }

    /** A handshake's HTTP answer when it is not a 101. */
    /** firstFrame: after a 101, the first frame the server sent (null otherwise). */
    record Refusal(int status, String head, String body, Frame firstFrame) {
        Refusal(int status, String head, String body) {
            this(status, head, body, null);
        }

        String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    /**
     * Sends a handshake for a raw path (anything, even bytes a client library would refuse) and
     * returns the answer: status, head and body. A 101 is closed right away.
     */
    static Refusal attempt(String host, int port, String rawPath, String extraHeaders) throws IOException {
        try (Socket socket = new Socket(host, port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + rawPath + " HTTP/1.1\r\nHost: " + host + ":" + port
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="
                    + "\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int last4 = 0;
            while (last4 != 0x0d0a0d0a) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.write(b);
                last4 = (last4 << 8) | b;
            }
            String headText = head.toString(StandardCharsets.ISO_8859_1);
            int status = headText.length() > 12 ? Integer.parseInt(headText.substring(9, 12)) : -1;
            Refusal answer = new Refusal(status, headText, "");
            if (status == 101) {
                int b0 = in.readUnsignedByte();
                int b1 = in.readUnsignedByte() & 0x7f;
                int len = b1 == 126 ? in.readUnsignedShort() : b1;
                byte[] payload = new byte[len];
                in.readFully(payload);
                return new Refusal(status, headText, "", new Frame(b0 & 0x0f, payload));
            }
            String length = answer.header("Content-Length");
            if (status != 101 && length != null) {
                byte[] body = new byte[Integer.parseInt(length)];
                in.readFully(body);
                answer = new Refusal(status, headText, new String(body, StandardCharsets.UTF_8));
            }
            return answer;
        }
    }

    /** The value of a header of the 101 response, or null. */
    String responseHeader(String name) {
        for (String line : responseHead.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    private String readHeaders() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        while (last4 != 0x0d0a0d0a) { // \r\n\r\n ends the response head
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed during handshake");
            }
            head.write(b);
            last4 = (last4 << 8) | b;
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    void sendText(String text) throws IOException {
        sendFrame(TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends one final, masked frame, as a client must. */
    void sendFrame(int opcode, byte[] payload) throws IOException {
        sendFrame(opcode, payload, true);
    }

    /** Sends one masked frame; opcode 0 with {@code fin} false or true continues a fragmented message. */
    synchronized void sendFrame(int opcode, byte[] payload, boolean fin) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(0x80 | 127);
            long len = payload.length;
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) (len >>> shift) & 0xff);
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /** As {@link #sendFrame(int, byte[], boolean)}, failing with an unchecked exception. */
    void sendFrameUnchecked(int opcode, byte[] payload, boolean fin) {
        try {
            sendFrame(opcode, payload, fin);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A frame header declaring {@code length} bytes (mask all zero), for a payload sent by {@link #sendRaw}. */
    synchronized void sendHeader(int opcode, boolean fin, long length) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(14);
        head.write((fin ? 0x80 : 0) | opcode);
        head.write(0x80 | 127);
        for (int shift = 56; shift >= 0; shift -= 8) {
            head.write((int) (length >>> shift) & 0xff);
        }
        head.write(new byte[4]);
        out.write(head.toByteArray());
        out.flush();
    }

    /** Bytes as they are, after a {@link #sendHeader}. */
    void sendRaw(byte[] bytes) {
        try {
            out.write(bytes);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Reads the next frame (server frames are never masked). */
    Frame readFrame() throws IOException {
        return readFrame(null);
    }

    /**
     * Reads the next message as a WebSocket library would: answers each ping with its pong, joins
     * a message sent in parts; returns close (and pong) frames as they come.
     */
    Frame readMessage() throws IOException {
        ByteArrayOutputStream parts = null;
        int opcode = 0;
        boolean[] fin = new boolean[1];
        while (true) {
            Frame frame = readFrame(fin);
            if (frame.opcode() == PING) {
                sendFrame(0xA, frame.payload(), true);
            } else if (frame.opcode() >= CLOSE) {
                return frame;
            } else if (fin[0] && parts == null) {
                return frame;
            } else {
                if (parts == null) {
                    parts = new ByteArrayOutputStream();
                    opcode = frame.opcode();
                }
                parts.write(frame.payload());
                if (fin[0]) {
                    return new Frame(opcode, parts.toByteArray());
                }
            }
        }
    }

    private Frame readFrame(boolean[] fin) throws IOException {
        int b0 = in.readUnsignedByte();
        if (fin != null) {
            fin[0] = (b0 & 0x80) != 0;
        }
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7f;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        byte[] payload = new byte[(int) len];
        in.readFully(payload);
        return new Frame(b0 & 0x0f, payload);
    }

    /** Reads frames until a close frame; returns its code. */
    int awaitClose() throws IOException {
        while (true) {
            Frame frame = readFrame();
            if (frame.opcode() == CLOSE) {
                return frame.closeCode();
            }
        }
    }

    /** Drops the TCP connection with a reset: no close frame, no FIN. */
    void abort() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
