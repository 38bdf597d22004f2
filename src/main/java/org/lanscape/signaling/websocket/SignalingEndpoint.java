package org.lanscape.signaling.websocket;

import io.opentelemetry.api.trace.Span;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import org.lanscape.signaling.limits.CountedConnection;
import org.lanscape.signaling.protocol.ErrorCode;
import org.lanscape.signaling.protocol.ServerMessage;
import org.lanscape.signaling.session.Credentials;
import org.lanscape.signaling.session.Peer;
import org.lanscape.signaling.session.SessionResume;
import org.lanscape.signaling.session.SessionState;
import org.lanscape.signaling.telemetry.LogThrottle;
import org.lanscape.signaling.telemetry.SignalingTracing;
import org.lanscape.signaling.topic.JoinRefusedException;
import org.lanscape.signaling.topic.TopicRegistry;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
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
    private Session session;
    private TextAssembler assembler;
    private volatile SessionSocket socket;
    private volatile Peer peer;
    private volatile PeerMessages messages; // once the peer joined
    /** The close code once onClose ran, 0 before: Payara calls onClose while onOpen may still be writing. */
    private volatile int closedWith;
    private final AtomicBoolean closeHandled = new AtomicBoolean();
    private final CountedConnection counted = new CountedConnection();
    private SessionSocket fallback; // guarded by this

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
        session.addMessageHandler(String.class, (MessageHandler.Partial<String>) (part, last) -> {
            PeerMessages m = messages;
            if (m != null && peer.session().isCurrent(socket)) { // once resumed on another connection, this one says nothing
                if (last) {
                    socket.countReceived(); // a resume tells the client how many of its messages were read
                }
                m.text(part, last);
            }
        });
        session.addMessageHandler(ByteBuffer.class, (MessageHandler.Partial<ByteBuffer>) (data, last) -> binary());
        session.addMessageHandler(PongMessage.class, (MessageHandler.Whole<PongMessage>) pong -> {
            PeerMessages m = messages;
            if (m != null) {
                m.pong(pong.getApplicationData());
            }
        });
        String topic = session.getPathParameters().get("topic");
        if (!TopicNames.isValid(topic)) {
            // The handshake filter refuses these with 400; a runtime that normalises the path before
            // its filters (Payara, for "/ws/..") can still upgrade one: no session for it either.
            services.metrics().handshakeRejected("invalid_topic");
            close(CloseCodes.POLICY_VIOLATION, "invalid topic");
            return;
        }
        HandshakeContext context = (HandshakeContext) session.getUserProperties().get(EndpointConfigurator.CONTEXT);
        if (context == null || !context.checked()) { // fail closed: no origin, auth or capacity check saw it
            services.metrics().handshakeRejected("unchecked");
            close(CloseCodes.POLICY_VIOLATION, "the handshake was not checked");
            return;
        }
        socket = new SessionSocket(session, services.closer());
        if (!counted.open(services.users(), context.subject(), () -> closedWith != 0)) {
            services.metrics().handshakeRejected("user_limit");
            close(CloseCodes.USER_LIMIT, "the token's subject has its maximum number of connections");
            return;
        }
        Credentials credentials = new Credentials(context.subject(), context.expiresAtMillis(), context.maxPeers());
        String resumeToken = context.resumeToken() != null ? context.resumeToken() : firstParameter("resume");
        SessionResume.Outcome resumed = resumeToken == null ? null
                : resume(resumeToken, topic, context.requestId(), credentials);
        if (resumed == SessionResume.Outcome.FULL) {
            services.metrics().handshakeRejected("node_full");
        }
        if (resumed == SessionResume.Outcome.FULL || resumed == SessionResume.Outcome.UNAVAILABLE) {
            // the session stays on its node, or waits to be parked: the client tries again, through the balancer
            close(CloseCodes.TRY_AGAIN_LATER, resumed == SessionResume.Outcome.FULL
                    ? "the server is full: resume on another node" : "the session's node is down: resume again shortly");
            return;
        }
        if (resumed != SessionResume.Outcome.RESUMED) {
            join(topic, context, credentials, resumeToken);
        }
        if (peer != null) {
            messages = new PeerMessages(services, peer, assembler, (code, reason) -> {
                close(code, reason);
                leave();
            });
            if (closedWith != 0) {
                closed(); // the connection closed while it was joining
            }
        }
    }

    private SessionResume.Outcome resume(String token, String topic, String requestId, Credentials credentials) {
        SessionResume.Outcome[] outcome = new SessionResume.Outcome[1];
        Span span = services.tracing().start("signaling.resume", topic, requestId);
        peer = registry.resumes().resume(token, SessionResume.received(firstParameter("received")), topic, requestId, socket, credentials, outcome);
        String result = outcome[0] == SessionResume.Outcome.RESUMED ? "ok" : outcome[0].name().toLowerCase(Locale.ROOT);
        SignalingTracing.end(span, "signaling.resume.result", result);
        services.metrics().resumed(result);
        return outcome[0];
    }

    private void join(String topic, HandshakeContext context, Credentials credentials, String failedResume) {
        Span span = services.tracing().start("signaling.join", topic, context.requestId());
        try {
            boolean wantsResume = failedResume != null || "true".equals(firstParameter("resumable"));
            peer = registry.join(topic, context.metadata(), context.requestId(), socket, wantsResume, credentials,
                    failedResume == null ? null : new ServerMessage.Error(ErrorCode.RESUME_FAILED, null));
            SignalingTracing.end(span, "signaling.peer.id", peer.id());
            if (failedResume != null) {
                services.metrics().errorSent(ErrorCode.RESUME_FAILED.wire());
            }
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

    private void binary() {
        if (peer != null) {
            LogThrottle.SHARED.info(LOG, "binary-frame", () -> "closing peer: binary frame: " + peer.logContext());
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
        LogThrottle.SHARED.info(LOG, "connection-failed", () -> "connection failed: " + failure + " " + context);
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
        closedWith = code;
        counted.close();
        closed();
    }

    /**
     * Runs from onClose, and from onOpen when the close came while it was joining; whichever sees
     * the peer first acts (both fields are volatile: at least one of the two sees the other's write).
     */
    private void closed() {
        Peer joined = peer;
        if (joined == null || !joined.session().isCurrent(socket)) {
            return; // never joined (or not yet: onOpen will call again), or resumed on another connection
        }
        if (!closeHandled.compareAndSet(false, true)) {
            return;
        }
        int code = closedWith;
        boolean lost = code == CloseReason.CloseCodes.CLOSED_ABNORMALLY.getCode()
                || code == CloseReason.CloseCodes.UNEXPECTED_CONDITION.getCode();
        if (lost) {
            registry.sessions().connectionLost(joined);
        } else {
            leave();
        }
    }

    /**
     * The connection is closing or closed: the peer leaves its topic; the socket is left alone. A
     * connection the session was resumed away from ends only itself.
     */
    private void leave() {
        if (peer == null || !peer.session().isCurrent(socket) && peer.state() != SessionState.State.CLOSED) {
            return;
        }
        boolean first = peer.state() != SessionState.State.CLOSED;
        Span span = first ? services.tracing().start("signaling.leave", peer.topic(), peer.session().requestId()) : null;
        registry.sessions().connectionClosed(peer); // ends it only if nothing else did (the watchdog, a failed send): that one left already
        if (first) {
            SignalingTracing.end(span, "signaling.peer.id", peer.id());
            LOG.fine(() -> "peer left: " + peer.logContext());
        }
    }

    /** Closes from the server's side, on the closer's threads: the close handshake can take a while. */
    private void close(int code, String reason) {
        SessionSocket s = socket;
        if (s == null) { // refused before it had one: one stand-in, so that the connection queues one close
            synchronized (this) {
                fallback = fallback != null ? fallback : new SessionSocket(session, services.closer());
                s = fallback;
            }
        }
        s.close(code, reason);
    }
}
