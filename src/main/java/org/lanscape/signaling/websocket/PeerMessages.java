package org.lanscape.signaling.websocket;

import io.opentelemetry.api.trace.Span;
import org.lanscape.signaling.delivery.RelayResult;
import org.lanscape.signaling.protocol.ClientFrame;
import org.lanscape.signaling.protocol.ClientMessage;
import org.lanscape.signaling.protocol.ClientMessageDecoder;
import org.lanscape.signaling.protocol.ErrorCode;
import org.lanscape.signaling.protocol.MalformedMessage;
import org.lanscape.signaling.protocol.MessageTypes;
import org.lanscape.signaling.protocol.RawJson;
import org.lanscape.signaling.protocol.ServerMessage;
import org.lanscape.signaling.session.Peer;
import org.lanscape.signaling.telemetry.LogThrottle;
import org.lanscape.signaling.telemetry.SignalingTracing;

import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.logging.Logger;

/**
 * What one joined peer sends, frame by frame: whole messages are assembled within the size limit,
 * held to the rate limit, decoded, relayed, and answered with the protocol's errors. Used from the
 * connection's message handlers, one frame at a time.
 */
final class PeerMessages {

    private static final Logger LOG = Logger.getLogger(PeerMessages.class.getName());

    private final EndpointServices services;
    private final Peer peer;
    private final TextAssembler assembler;
    private final RateLimiter rateLimiter;
    private final ClientMessageDecoder decoder = new ClientMessageDecoder();
    /** Closes the connection with a code and a reason, and makes the peer leave. */
    private final BiConsumer<Integer, String> closeAndLeave;

    PeerMessages(EndpointServices services, Peer peer, TextAssembler assembler, BiConsumer<Integer, String> closeAndLeave) {
        this.services = services;
        this.peer = peer;
        this.assembler = assembler;
        this.closeAndLeave = closeAndLeave;
        this.rateLimiter = new RateLimiter(services.config().rateLimit(), services.config().rateBurst(),
                services.config().rateCloseAfter(), System.nanoTime());
    }

    void text(String part, boolean last) {
        long receivedAt = System.nanoTime();
        peer.liveness().seen(receivedAt);
        String text = assembler.add(part, last);
        if (text != null) {
            if (rateLimiter.tryAcquire(receivedAt)) {
                message(decoder.decode(text), receivedAt);
            } else {
                rateLimited(text);
            }
        } else if (assembler.tooBig()) {
            LogThrottle.SHARED.info(LOG, "message-too-big",
                    () -> "closing peer: message over " + services.config().maxMessageSize() + " bytes: " + peer.logContext());
            closeAndLeave.accept(CloseCodes.MESSAGE_TOO_BIG, "message too big");
        }
    }

    /** A pong that answers our ping opens the peer's send window; others count against the rate limit like messages. */
    void pong(ByteBuffer data) {
        long now = System.nanoTime();
        peer.liveness().seen(now);
        if (peer.pong(data)) {
            return;
        }
        if (!rateLimiter.tryAcquire(now) && rateLimiter.shouldClose()) {
            LogThrottle.SHARED.info(LOG, "pong-flood",
                    () -> "closing peer: kept flooding pongs past the rate limit: " + peer.logContext());
            closeAndLeave.accept(CloseCodes.POLICY_VIOLATION, "rate limit exceeded");
        }
    }

    /** An error for this peer; {@code error(code, message, msgId)} with the code's own message. */
    void error(ErrorCode code, RawJson msgId) {
        error(code, code.message(), msgId);
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
            Span span = services.tracing().start("signaling.relay", peer.topic(), peer.session().requestId());
            if (span != null) {
                span.setAttribute("signaling.message.type", message.type());
            }
            RelayResult result = services.registry().relays().relay(peer, message.type(), message.to(), message.payload(),
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
            LogThrottle.SHARED.info(LOG, "flood",
                    () -> "closing peer: kept flooding past the rate limit: " + peer.logContext());
            closeAndLeave.accept(CloseCodes.POLICY_VIOLATION, "rate limit exceeded");
            return;
        }
        ClientFrame frame = decoder.decode(text); // only for the msgId: the message is not processed
        error(ErrorCode.RATE_LIMITED, frame instanceof ClientMessage m ? m.msgId() : ((MalformedMessage) frame).msgId());
    }

    private void error(ErrorCode code, String message, RawJson msgId) {
        services.metrics().errorSent(code.wire());
        services.registry().relays().tell(peer, new ServerMessage.Error(code, message, msgId));
    }
}
