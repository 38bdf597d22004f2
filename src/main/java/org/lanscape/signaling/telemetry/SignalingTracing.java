package org.lanscape.signaling.telemetry;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;

/**
 * Spans for a peer's join, each relay and its leave, named {@code signaling.join},
 * {@code signaling.relay}, {@code signaling.leave}, with the topic, message type and result as
 * attributes, never the payload (SDP carries addresses). Tracing is configured only by the
 * standard {@code otel.*} properties; while {@code otel.sdk.disabled} is true (the default) no span
 * is even built: every method returns null or does nothing.
 */
@ApplicationScoped
public class SignalingTracing {

    @Inject
    Instance<Tracer> tracers;
    @Inject
    Config config;

    private Tracer tracer;

    @PostConstruct
    void init() {
        boolean disabled = config.getOptionalValue("otel.sdk.disabled", Boolean.class).orElse(true);
        if (!disabled && tracers.isResolvable()) {
            tracer = tracers.get();
        }
    }

    public boolean enabled() {
        return tracer != null;
    }

    /** Starts a span about a peer's connection, or returns null while tracing is off. */
    /** The bean itself: called through its CDI client proxy, the instance behind it (see TopicObserver#target). */
    public java.util.function.Supplier<SignalingTracing> target() {
        SignalingTracing self = this;
        return () -> self;
    }

    public Span start(String name, String topic, String requestId) {
        if (tracer == null) {
            return null;
        }
        return tracer.spanBuilder(name)
                .setSpanKind(SpanKind.SERVER)
                .setAttribute("signaling.topic", topic)
                .setAttribute("signaling.request_id", requestId)
                .startSpan();
    }

    /** Ends a span with its outcome; null spans are ignored. */
    public static void end(Span span, String key, String value) {
        if (span != null) {
            span.setAttribute(key, value);
            span.end();
        }
    }

    public static void fail(Span span, Throwable failure) {
        if (span != null) {
            span.recordException(failure);
            span.setStatus(StatusCode.ERROR);
            span.end();
        }
    }
}
