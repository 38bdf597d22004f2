package org.lanscape.signaling.websocket;

import io.opentelemetry.api.trace.Span;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import org.lanscape.signaling.protocol.ClientFrame;
import org.lanscape.signaling.protocol.ClientMessage;
import org.lanscape.signaling.protocol.ClientMessageDecoder;
import org.lanscape.signaling.protocol.ErrorCode;
import org.lanscape.signaling.protocol.MalformedMessage;
import org.lanscape.signaling.protocol.MessageTypes;
import org.lanscape.signaling.protocol.RawJson;
import org.lanscape.signaling.protocol.ServerMessage;
import org.lanscape.signaling.telemetry.SignalingTracing;
import org.lanscape.signaling.topic.Credentials;
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
 * {@code /ws/{topic}}: one instance per connection (registered by {@link SignalingEndpoints}).
 * Decodes, delegates to the {@link TopicRegistry} and maps the outcome to protocol errors; every
 * frame to the client goes through the peer's queue. Text arrives frame by frame, so that the
 * size limit holds for the whole message in bytes ({@link TextAssembler}); outbound frames are
 * encoded once by the registry for all their recipients.
 */
public class SignalingEndpoint extends Endpoint {

    private static final Logger LOG = Logger.getLogger(SignalingEndpoint.class.getName());

    private final EndpointServices services;
    private final TopicRegistry registry;
    private final ClientMessageDecoder decoder = new ClientMessageDecoder();
    private Session session;
    private TextAssembler assembler;
    private RateLimiter rateLimiter;
    private SessionSocket socket;
    private Peer peer;

    SignalingEndpoint(EndpointServices services) {
        this.services = services;
        this.registry = services.registry();
    }

    @Override
    public void onOpen(Session session, EndpointConfig endpointConfig) {
        this.session = session;
        int limit = services.config().maxMessageSize();
        // The container refuses a frame whose header declares more than this, before reading it.
        session.setMaxTextMessageBufferSize(limit);
        session.setMaxBinaryMessageBufferSize(limit);
        session.setMaxIdleTimeout(0); // liveness is ours: pings, see PeerWatchdog
        assembler = new TextAssembler(limit, session::setMaxTextMessageBufferSize);
        rateLimiter = new RateLimiter(services.config().rateLimit(), services.config().rateBurst(),
                services.config().rateCloseAfter(), System.nanoTime());
        session.addMessageHandler(String.class, (MessageHandler.Partial<String>) this::text);
        session.addMessageHandler(ByteBuffer.class, (MessageHandler.Partial<ByteBuffer>) (data, last) -> binary());
        session.addMessageHandler(PongMessage.class, (MessageHandler.Whole<PongMessage>) pong -> pong());
        String topic = session.getPathParameters().get("topic");
        if (!TopicNames.isValid(topic)) {
            // The handshake filter refuses these with 400; a runtime that normalises the path before
            // its filters (Payara, for "/ws/..") can still upgrade one: no session for it either.
            services.metrics().handshakeRejected("invalid_topic");
            close(CloseCodes.POLICY_VIOLATION, "invalid topic");
            return;
        }
        HandshakeContext context = (HandshakeContext) session.getUserProperties().get(EndpointConfigurator.CONTEXT);
        if (context == null) {
            context = HandshakeContext.anonymous("-");
        }
        socket = new SessionSocket(session, services.closer());
        Credentials credentials = new Credentials(context.subject(), context.expiresAtMillis());
        String resumeToken = context.resumeToken() != null ? context.resumeToken() : firstParameter("resume");
        if (resumeToken != null && resume(resumeToken, topic, context.requestId(), credentials)) {
            return;
        }
        join(topic, context, credentials, resumeToken);
    }

    private boolean resume(String token, String topic, String requestId, Credentials credentials) {
        TopicRegistry.ResumeOutcome[] outcome = new TopicRegistry.ResumeOutcome[1];
        Span span = services.tracing().start("signaling.resume", topic, requestId);
        peer = registry.resume(token, received(), topic, requestId, socket, credentials, outcome);
        String result = outcome[0] == TopicRegistry.ResumeOutcome.RESUMED ? "ok" : outcome[0].name().toLowerCase(Locale.ROOT);
        SignalingTracing.end(span, "signaling.resume.result", result);
        services.metrics().resumed(result);
        if (peer != null) {
            LOG.fine(() -> "peer resumed: " + peer.logContext());
        }
        return peer != null;
    }

    private void join(String topic, HandshakeContext context, Credentials credentials, String failedResume) {
        Span span = services.tracing().start("signaling.join", topic, context.requestId());
        try {
            boolean wantsResume = failedResume != null || "true".equals(firstParameter("resumable"));
            peer = registry.join(topic, context.metadata(), context.requestId(), socket, wantsResume, credentials);
            if (failedResume != null) {
                error(ErrorCode.RESUME_FAILED, null); // after welcome and peer-list: a new session
            }
            SignalingTracing.end(span, "signaling.peer.id", peer.id());
            LOG.fine(() -> "peer joined: " + peer.logContext());
        } catch (JoinRefusedException e) {
            SignalingTracing.end(span, "signaling.join.refused", e.reason().name().toLowerCase(Locale.ROOT));
            boolean topicFull = e.reason() == JoinRefusedException.Reason.TOPIC_FULL;
            services.metrics().handshakeRejected(topicFull ? "topic_full" : "node_full");
            close(topicFull ? CloseCodes.TOPIC_FULL : CloseCodes.TRY_AGAIN_LATER, e.getMessage());
        }
    }

    private String firstParameter(String name) {
        List<String> values = session.getRequestParameterMap().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /**
     * {@code ?received=<n>} beside {@code resume}: how many messages the client got on the lost
     * connection; -1 when it does not say (or says something that is not a count).
     */
    private long received() {
        String value = firstParameter("received");
        if (value == null) {
            return -1;
        }
        try {
            return Math.max(-1, Long.parseLong(value));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void text(String part, boolean last) {
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
                rateLimited(text);
            }
        } else if (assembler.tooBig()) {
            LOG.info(() -> "closing peer: message over " + services.config().maxMessageSize() + " bytes: " + peer.logContext());
            close(CloseCodes.MESSAGE_TOO_BIG, "message too big");
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
            Span span = services.tracing().start("signaling.relay", peer.topic(), peer.requestId());
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

    private void rateLimited(String text) {
        if (rateLimiter.shouldClose()) {
            LOG.info(() -> "closing peer: kept flooding past the rate limit: " + peer.logContext());
            close(CloseCodes.POLICY_VIOLATION, "rate limit exceeded");
            leave();
            return;
        }
        services.metrics().errorSent(ErrorCode.RATE_LIMITED.wire());
        ClientFrame frame = decoder.decode(text); // only for the msgId: the message is not processed
        RawJson msgId = frame instanceof ClientMessage m ? m.msgId() : ((MalformedMessage) frame).msgId();
        registry.tell(peer, new ServerMessage.Error(ErrorCode.RATE_LIMITED, msgId));
    }

    /** A pong answers our ping; unasked ones count against the rate limit like messages. */
    private void pong() {
        if (peer == null) {
            return;
        }
        long now = System.nanoTime();
        peer.seen(now);
        if (!rateLimiter.tryAcquire(now) && rateLimiter.shouldClose()) {
            LOG.info(() -> "closing peer: kept flooding pongs past the rate limit: " + peer.logContext());
            close(CloseCodes.POLICY_VIOLATION, "rate limit exceeded");
            leave();
        }
    }

    private void binary() {
        if (peer != null) {
            LOG.info(() -> "closing peer: binary frame: " + peer.logContext());
        }
        close(CloseCodes.UNSUPPORTED_DATA, "binary frames are not supported");
        leave();
    }

    /**
     * Transport failures, and frames the container refused (over the size limit: it closed with
     * 1009; not UTF-8: 1007). The container closes the connection after an error, and
     * {@link #onClose} decides what follows.
     */
    @Override
    public void onError(Session session, Throwable failure) {
        String context = peer == null ? "-" : peer.logContext();
        LOG.info(() -> "connection failed: " + failure + " " + context);
        LOG.log(Level.FINE, "connection failed: " + context, failure);
    }

    /**
     * A connection lost without a close frame keeps a resumable peer for a resume; any other
     * close makes it leave. Liberty reports a lost connection (reset, end of stream) as 1011 with
     * the I/O error as the reason, other runtimes as 1006.
     */
    @Override
    public void onClose(Session session, CloseReason reason) {
        int code = reason.getCloseCode().getCode();
        services.metrics().connectionClosed(code);
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
        Span span = first ? services.tracing().start("signaling.leave", peer.topic(), peer.requestId()) : null;
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
        services.metrics().errorSent(code.wire());
        registry.tell(peer, new ServerMessage.Error(code, message, msgId));
    }

    /** Closes from the server's side, on the closer's threads: the close handshake can take a while. */
    private void close(int code, String reason) {
        (socket != null ? socket : new SessionSocket(session, services.closer())).close(code, reason);
    }
}
