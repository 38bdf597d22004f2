package org.lanscape.signaling.websocket;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.json.JsonValue;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.PathParam;
import jakarta.websocket.server.ServerEndpoint;
import org.lanscape.signaling.config.SignalingConfig;
import org.lanscape.signaling.protocol.ClientFrame;
import org.lanscape.signaling.protocol.ClientMessage;
import org.lanscape.signaling.protocol.ClientMessageDecoder;
import org.lanscape.signaling.protocol.ErrorCode;
import org.lanscape.signaling.protocol.MalformedMessage;
import org.lanscape.signaling.protocol.MessageTypes;
import org.lanscape.signaling.protocol.ServerMessage;
import org.lanscape.signaling.topic.Peer;
import org.lanscape.signaling.topic.TopicRegistry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code /ws/{topic}}: one instance per connection. Decodes, delegates to the {@link TopicRegistry}
 * and maps the outcome to protocol errors; every frame to the client goes through the peer's queue.
 * <p>
 * The codecs are applied here rather than registered with the container: text arrives in parts so
 * that {@link TextAssembler} can hold the size limit on whole messages (Liberty checks single
 * frames only), and outbound frames are encoded once by the registry for all their recipients.
 */
@Dependent
@ServerEndpoint("/ws/{topic}")
public class SignalingEndpoint {

    private static final Logger LOG = Logger.getLogger(SignalingEndpoint.class.getName());

    @Inject
    TopicRegistry registry;
    @Inject
    SignalingConfig config;
    @Resource
    ManagedExecutorService executor;

    private final ClientMessageDecoder decoder = new ClientMessageDecoder();
    private TextAssembler assembler;
    private Peer peer;

    @OnOpen
    public void open(Session session, @PathParam("topic") String topic) {
        assembler = new TextAssembler(config.maxMessageSize());
        session.setMaxTextMessageBufferSize(config.maxMessageSize());
        session.setMaxIdleTimeout(0); // liveness is ours: pings, see PeerWatchdog
        peer = registry.join(topic, null, new SessionSocket(session, executor));
    }

    @OnMessage
    public void text(Session session, String part, boolean last) {
        if (peer == null) {
            return;
        }
        peer.seen(System.nanoTime());
        String text = assembler.add(part, last);
        if (text != null) {
            message(decoder.decode(text));
        } else if (assembler.tooBig()) {
            close(session, CloseCodes.MESSAGE_TOO_BIG, "message too big");
            leave();
        }
    }

    private void message(ClientFrame frame) {
        if (frame instanceof MalformedMessage malformed) {
            error(ErrorCode.INVALID_MESSAGE, malformed.problem(), malformed.msgId());
        } else {
            relay((ClientMessage) frame);
        }
    }

    private void relay(ClientMessage message) {
        if (!MessageTypes.isRelayType(message.type())) {
            error(ErrorCode.INVALID_TYPE, message.msgId());
        } else if (message.to() == null || message.to().isEmpty()) {
            error(ErrorCode.MISSING_TARGET, message.msgId());
        } else {
            switch (registry.relay(peer, message.type(), message.to(), message.payload(), message.msgId())) {
                case TARGET_NOT_FOUND -> error(ErrorCode.TARGET_NOT_FOUND, message.msgId());
                case DROPPED -> error(ErrorCode.DROPPED, message.msgId());
                case DELIVERED -> { }
            }
        }
    }

    @OnMessage
    public void pong(PongMessage pong) {
        if (peer != null) {
            peer.seen(System.nanoTime());
        }
    }

    @OnMessage
    public void binary(Session session, ByteBuffer data) {
        close(session, CloseCodes.UNSUPPORTED_DATA, "binary frames are not supported");
    }

    /** Transport failures; an oversized message also ends here, after the container closed with 1009. */
    @OnError
    public void failed(Throwable failure) {
        LOG.log(Level.FINE, "connection failed: peer=" + (peer == null ? "-" : peer.id()), failure);
        leave();
    }

    @OnClose
    public void closed(CloseReason reason) {
        leave();
    }

    private void leave() {
        if (peer != null) {
            registry.disconnect(peer, CloseCodes.GOING_AWAY, "closed");
        }
    }

    private void error(ErrorCode code, JsonValue msgId) {
        error(code, code.message(), msgId);
    }

    private void error(ErrorCode code, String message, JsonValue msgId) {
        // Waits like a relay: the sender's own queue is full only if the sender itself is not reading.
        registry.sendWaiting(peer, new ServerMessage.Error(code, message, msgId));
    }

    private static void close(Session session, int code, String reason) {
        try {
            session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
        } catch (IOException e) {
            LOG.log(Level.FINE, "close failed", e);
        }
    }
}
