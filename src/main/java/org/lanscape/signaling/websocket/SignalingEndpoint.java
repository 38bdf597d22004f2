package org.lanscape.signaling.websocket;

import io.opentelemetry.api.trace.Span;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
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
import org.lanscape.signaling.protocol.RawJson;
import org.lanscape.signaling.protocol.ServerMessage;
import org.lanscape.signaling.telemetry.SignalingMetrics;
import org.lanscape.signaling.telemetry.SignalingTracing;
import org.lanscape.signaling.topic.JoinRefusedException;
import org.lanscape.signaling.topic.Peer;
import org.lanscape.signaling.topic.RelayResult;
import org.lanscape.signaling.topic.TopicRegistry;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
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
@ServerEndpoint(value = "/ws/{topic}", configurator = EndpointConfigurator.class)
public class SignalingEndpoint {

    private static final Logger LOG = Logger.getLogger(SignalingEndpoint.class.getName());

    @Inject
    TopicRegistry registry;
    @Inject
    SignalingConfig config;
    @Inject
    SignalingMetrics metrics;
    @Inject
    SignalingTracing tracing;
    @Inject
    SocketExecutor executor;

    private final ClientMessageDecoder decoder = new ClientMessageDecoder();
    private TextAssembler assembler;
    private RateLimiter rateLimiter;
    private SessionSocket socket;
    private Peer peer;

    @OnOpen
    public void open(Session session, @PathParam("topic") String topic) {
        assembler = new TextAssembler(config.maxMessageSize());
        rateLimiter = new RateLimiter(config.rateLimit(), config.rateBurst(), config.rateCloseAfter(), System.nanoTime());
        session.setMaxTextMessageBufferSize(config.maxMessageSize());
        session.setMaxIdleTimeout(0); // liveness is ours: pings, see PeerWatchdog
        if (!TopicNames.isValid(topic)) {
            // The handshake filter refuses these with 400; a runtime that normalises the path before
            // its filters (Payara, for "/ws/..") can still upgrade one: no session for it either.
            metrics.handshakeRejected("invalid_topic");
            close(session, CloseCodes.POLICY_VIOLATION, "invalid topic");
            return;
        }
        HandshakeContext context = (HandshakeContext) session.getUserProperties().get(EndpointConfigurator.CONTEXT);
        String requestId = context == null ? "-" : context.requestId();
        socket = new SessionSocket(session, executor);
        String resumeToken = firstParameter(session, "resume");
        if (resumeToken != null) {
            TopicRegistry.ResumeOutcome[] outcome = new TopicRegistry.ResumeOutcome[1];
            Span span = tracing.start("signaling.resume", topic, requestId);
            peer = registry.resume(resumeToken, received(session), topic, requestId, socket, outcome);
            String result = outcome[0] == TopicRegistry.ResumeOutcome.RESUMED ? "ok" : outcome[0].name().toLowerCase(Locale.ROOT);
            SignalingTracing.end(span, "signaling.resume.result", result);
            metrics.resumed(result);
            if (peer != null) {
                LOG.fine(() -> "peer resumed: " + peer.logContext());
                return;
            }
        }
        Span span = tracing.start("signaling.join", topic, requestId);
        try {
            boolean wantsResume = resumeToken != null || "true".equals(firstParameter(session, "resumable"));
            peer = registry.join(topic, context == null ? null : context.metadata(), requestId, socket, wantsResume);
            if (resumeToken != null) {
                error(ErrorCode.RESUME_FAILED, null); // after welcome and peer-list: a new session
            }
            SignalingTracing.end(span, "signaling.peer.id", peer.id());
            LOG.fine(() -> "peer joined: " + peer.logContext());
        } catch (JoinRefusedException e) {
            SignalingTracing.end(span, "signaling.join.refused", e.reason().name().toLowerCase(Locale.ROOT));
            metrics.handshakeRejected(e.reason() == JoinRefusedException.Reason.TOPIC_FULL ? "topic_full" : "node_full");
            close(session, e.reason() == JoinRefusedException.Reason.TOPIC_FULL ? CloseCodes.TOPIC_FULL
                    : CloseCodes.TRY_AGAIN_LATER, e.getMessage());
        }
    }

    private static String firstParameter(Session session, String name) {
        List<String> values = session.getRequestParameterMap().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /**
     * {@code ?received=<n>} beside {@code resume}: how many messages the client got on the lost
     * connection; -1 when it does not say (or says something that is not a count).
     */
    private static long received(Session session) {
        List<String> values = session.getRequestParameterMap().get("received");
        if (values == null || values.isEmpty()) {
            return -1;
        }
        try {
            return Math.max(-1, Long.parseLong(values.get(0)));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @OnMessage
    public void text(Session session, String part, boolean last) {
        if (peer == null) {
            return;
        }
        long receivedAt = System.nanoTime();
        peer.seen(receivedAt);
        String text = assembler.add(part, last);
        if (text != null) {
            if (rateLimiter.tryAcquire(receivedAt)) {
                message(decoder.decode(text), receivedAt);
            } else {
                rateLimited(session, text);
            }
        } else if (assembler.tooBig()) {
            LOG.info(() -> "closing peer: message over " + config.maxMessageSize() + " characters: " + peer.logContext());
            close(session, CloseCodes.MESSAGE_TOO_BIG, "message too big");
            leave();
        }
    }

    private void message(ClientFrame frame, long receivedAt) {
        if (frame instanceof MalformedMessage malformed) {
            error(ErrorCode.INVALID_MESSAGE, malformed.problem(), malformed.msgId());
            return;
        }
        ClientMessage message = (ClientMessage) frame;
        if (!MessageTypes.isRelayType(message.type())) {
            error(ErrorCode.INVALID_TYPE, message.msgId());
        } else if (message.to() == null || message.to().isEmpty()) {
            error(ErrorCode.MISSING_TARGET, message.msgId());
        } else {
            Span span = tracing.start("signaling.relay", peer.topic(), peer.requestId());
            if (span != null) {
                span.setAttribute("signaling.message.type", message.type());
            }
            RelayResult result = registry.relay(peer, message.type(), message.to(), message.payload(),
                    message.msgId(), receivedAt);
            SignalingTracing.end(span, "signaling.relay.result", result.name().toLowerCase(Locale.ROOT));
            switch (result) {
                case TARGET_NOT_FOUND -> error(ErrorCode.TARGET_NOT_FOUND, message.msgId());
                case DROPPED -> error(ErrorCode.DROPPED, message.msgId());
                case DELIVERED, FORWARDED -> { }
            }
        }
    }

    private void rateLimited(Session session, String text) {
        if (rateLimiter.shouldClose()) {
            LOG.info(() -> "closing peer: kept flooding past the rate limit: " + peer.logContext());
            close(session, CloseCodes.POLICY_VIOLATION, "rate limit exceeded");
            leave();
            return;
        }
        metrics.errorSent(ErrorCode.RATE_LIMITED.wire());
        ClientFrame frame = decoder.decode(text); // only for the msgId: the message is not processed
        RawJson msgId = frame instanceof ClientMessage m ? m.msgId() : ((MalformedMessage) frame).msgId();
        // A flooder whose own queue fills up with these is a slow consumer too.
        registry.tell(peer, new ServerMessage.Error(ErrorCode.RATE_LIMITED, msgId));
    }

    @OnMessage
    public void pong(PongMessage pong) {
        if (peer != null) {
            peer.seen(System.nanoTime());
        }
    }

    @OnMessage
    public void binary(Session session, ByteBuffer data) {
        if (peer != null) {
            LOG.info(() -> "closing peer: binary frame: " + peer.logContext());
        }
        close(session, CloseCodes.UNSUPPORTED_DATA, "binary frames are not supported");
    }

    /**
     * Transport failures; an oversized frame also ends here, after the container closed with 1009.
     * The container closes the connection after an error, and {@link #closed} decides what follows.
     */
    @OnError
    public void failed(Throwable failure) {
        LOG.log(Level.FINE, "connection failed: " + (peer == null ? "-" : peer.logContext()), failure);
    }

    /**
     * A connection lost without a close frame keeps its peer for a resume, when resume is on; any
     * other close, and a resume's grace period running out, make it leave. Liberty reports a lost
     * connection (reset, end of stream) as 1011 with the I/O error as the reason, other runtimes as
     * 1006.
     */
    @OnClose
    public void closed(CloseReason reason) {
        int code = reason.getCloseCode().getCode();
        metrics.connectionClosed(code);
        LOG.fine(() -> "connection closed: code=" + code + " reason=" + reason.getReasonPhrase() + " "
                + (peer == null ? "-" : peer.logContext()));
        if (peer == null || !peer.isCurrent(socket)) {
            return; // never joined, or the session was resumed on another connection
        }
        boolean lost = code == CloseReason.CloseCodes.CLOSED_ABNORMALLY.getCode()
                || code == CloseReason.CloseCodes.UNEXPECTED_CONDITION.getCode();
        if (lost) {
            registry.connectionLost(peer);
        } else {
            leave();
        }
    }

    /** The connection is closing or closed: the peer leaves its topic; the socket is left alone. */
    private void leave() {
        if (peer == null) {
            return;
        }
        boolean first = !peer.isClosed();
        Span span = first ? tracing.start("signaling.leave", peer.topic(), peer.requestId()) : null;
        registry.connectionClosed(peer); // idempotent: also when the watchdog or a failed send got there first
        if (first) {
            SignalingTracing.end(span, "signaling.peer.id", peer.id());
            LOG.fine(() -> "peer left: " + peer.logContext());
        }
    }

    private void error(ErrorCode code, RawJson msgId) {
        error(code, code.message(), msgId);
    }

    private void error(ErrorCode code, String message, RawJson msgId) {
        metrics.errorSent(code.wire());
        registry.tell(peer, new ServerMessage.Error(code, message, msgId));
    }

    /** Closes from the server's side, off this container thread: the close handshake can take a while. */
    private void close(Session session, int code, String reason) {
        new SessionSocket(session, executor).close(code, reason);
    }
}
