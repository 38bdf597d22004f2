package org.lanscape.signaling.rest;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.lanscape.signaling.auth.AuthConfig;
import org.lanscape.signaling.auth.AuthException;
import org.lanscape.signaling.auth.AuthMode;
import org.lanscape.signaling.auth.BearerToken;
import org.lanscape.signaling.cluster.ClusterBus;
import org.lanscape.signaling.config.SignalingConfig;
import org.lanscape.signaling.lifecycle.ServerLifecycle;
import org.lanscape.signaling.telemetry.SignalingMetrics;
import org.lanscape.signaling.topic.TopicRegistry;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * GET /debug/stats: what an operator wants at a glance, as JSON. It names topics and peers, so it
 * is off unless {@code signaling.debug.enabled=true} (404 otherwise, in the JSON error shape), and
 * with JWT auth on it answers only a token whose admin claim is true (401/403 otherwise).
 */
@WebServlet("/debug/stats")
public class DebugStatsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Inject
    SignalingConfig config;
    @Inject
    TopicRegistry topics;
    @Inject
    SignalingMetrics metrics;
    @Inject
    ServerLifecycle lifecycle;
    @Inject
    ClusterBus bus;
    @Inject
    AuthConfig auth;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!config.debugEnabled()) {
            JsonErrors.write(request, response, 404, "not_found", "the debug endpoint is disabled");
            return;
        }
        if (auth.mode() == AuthMode.JWT) {
            try {
                if (!auth.verifier().verify(BearerToken.of(request)).admin()) {
                    JsonErrors.write(request, response, 403, "forbidden", "the token is not an admin's");
                    return;
                }
            } catch (AuthException e) {
                response.setHeader("WWW-Authenticate", "Bearer");
                JsonErrors.write(request, response, e.status(), e.code(), e.getMessage());
                return;
            }
        }
        JsonArrayBuilder largest = Json.createArrayBuilder();
        for (Map.Entry<String, Integer> topic : topics.topics().largest(10)) {
            largest.add(Json.createObjectBuilder().add("topic", topic.getKey()).add("peers", topic.getValue()));
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        JsonArrayBuilder gc = Json.createArrayBuilder();
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            gc.add(Json.createObjectBuilder().add("name", collector.getName())
                    .add("count", collector.getCollectionCount()).add("timeMs", collector.getCollectionTime()));
        }
        JsonObjectBuilder stats = Json.createObjectBuilder()
                .add("state", lifecycle.state().name().toLowerCase(java.util.Locale.ROOT))
                .add("uptimeSeconds", lifecycle.uptime().toSeconds())
                .add("peers", topics.topics().peerCount())
                .add("topics", topics.topics().count())
                .add("largestTopics", largest)
                .add("queuedMessages", topics.topics().queuedFrames())
                .add("queuedBytes", topics.queueBudget().used())
                .add("queuedBytesMax", topics.queueBudget().max())
                .add("awayPeers", Json.createArrayBuilder(topics.topics().awayPeers(100)))
                .add("relaysDropped", metrics.relaysDropped())
                .add("slowConsumers", metrics.slowConsumers())
                .add("heap", Json.createObjectBuilder().add("usedBytes", heap.getUsed())
                        .add("committedBytes", heap.getCommitted()).add("maxBytes", heap.getMax()))
                .add("threads", Json.createObjectBuilder().add("live", threads.getThreadCount())
                        .add("peak", threads.getPeakThreadCount()).add("daemon", threads.getDaemonThreadCount()))
                .add("gc", gc)
                .add("cluster", Json.createObjectBuilder(bus.describe()));
        byte[] body = stats.build().toString().getBytes(StandardCharsets.UTF_8);
        response.setContentType("application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
