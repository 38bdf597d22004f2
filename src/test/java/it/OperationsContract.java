package it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Health, metrics, request ids, the JSON error shape, debug stats and traces, on a server process
 * that exports its spans over OTLP to a collector in the test ({@link OtlpCollector}).
 */
abstract class OperationsContract {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Started by the subclass before its server, which exports to it. */
    static OtlpCollector collector;

    /** The environment of the server under test: tracing to the collector, the debug endpoint on. */
    static Map<String, String> env() {
        Map<String, String> env = new HashMap<>(collector.env());
        env.put("SIGNALING_DEBUG_ENABLED", "true");
        return env;
    }

    abstract ServerProcess server();

    /** The application's metrics as the first scrape after the start saw them, before any test's traffic. */
    static String firstScrape;

    /** For the subclass, right after its server is ready. */
    static void scrapeOnce(ServerProcess server) throws Exception {
        firstScrape = HTTP.send(HttpRequest.newBuilder(URI.create(server.httpBase() + "metrics?scope=application")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void theApplicationsMetricsExistFromTheStart() {
        for (String name : List.of("signaling_peers{", "signaling_topics{", "signaling_joins_total{",
                "signaling_relays_total{", "signaling_relay_latency_seconds_count{", "signaling_errors_total{")) {
            assertTrue(firstScrape.contains(name), name + " in the first scrape:\n" + firstScrape);
        }
    }

    @AfterAll
    static void stopCollector() {
        if (collector != null) {
            collector.close();
        }
    }

    private String ws() {
        return server().wsBase();
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server().httpBase() + path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Health and metrics answer at the server root, whatever the application's context root is. */
    private HttpResponse<String> health(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server().httpBase() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    @Test
    void healthProbesAreUp() throws Exception {
        for (String probe : List.of("health/live", "health/ready", "health/started")) {
            HttpResponse<String> response = health(probe);
            assertEquals(200, response.statusCode(), probe);
            assertEquals("UP", json(response.body()).getString("status"), probe);
        }
        assertEquals("ready", json(health("health/ready").body()).getJsonArray("checks").stream()
                .map(c -> c.asJsonObject()).filter(c -> c.getString("name").equals("signaling-ready"))
                .findFirst().orElseThrow().getJsonObject("data").getString("state"));
    }

    @Test
    void metricsCountWhatHappened() throws Exception {
        String topic = "m-" + UUID.randomUUID();
        try (WsClient a = WsClient.connect(ws(), topic);
             WsClient b = WsClient.connect(ws(), topic)) {
            a.next("peer-list");
            a.next("peer-joined");
            a.send("answer", b.selfId, "{}", "m1");
            b.await("answer");
            a.send("{\"type\":\"nope\"}");
            a.await("error");
        }
        String metrics = health("metrics?scope=application").body();
        for (String name : List.of("signaling_peers{", "signaling_topics{", "signaling_joins_total{",
                "signaling_leaves_total{", "signaling_slow_consumers_total{", "signaling_queued_bytes{",
                "signaling_relay_latency_seconds_count{", "signaling_connections_closed_total{")) {
            assertTrue(metrics.contains(name), name + " in\n" + metrics);
        }
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("signaling_relays_total{")
                && l.contains("result=\"delivered\"") && l.contains("type=\"answer\"") && !l.endsWith(" 0.0")), metrics);
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("signaling_errors_total{")
                && l.contains("code=\"invalid_type\"") && !l.endsWith(" 0.0")), metrics);
        assertTrue(health("metrics").body().contains("jvm_"), "the runtime's JVM metrics are there too");
    }

    @Test
    void everyRequestGetsAnIdAndAValidInboundOneIsKept() throws Exception {
        HttpResponse<String> generated = get("healthz");
        String id = generated.headers().firstValue("X-Request-ID").orElseThrow();
        assertEquals(26, id.length(), "a ULID");
        assertEquals("trace-me.42", get("healthz", "X-Request-ID", "trace-me.42")
                .headers().firstValue("X-Request-ID").orElseThrow());
        assertFalse(get("healthz", "X-Request-ID", "x".repeat(200))
                .headers().firstValue("X-Request-ID").orElseThrow().startsWith("xxx"), "too long: replaced");

        try (RawWebSocket raw = new RawWebSocket(URI.create(ws() + "ws/rid"), 0,
                "X-Request-ID: handshake-7\r\n")) {
            assertEquals("handshake-7", raw.responseHeader("X-Request-ID"), "the handshake's 101 carries it");
        }
    }

    /**
     * A fresh JDK client asks to upgrade to h2c on its first request; on Liberty with HTTP/2 on,
     * one that ended in the error page never got an answer.
     */
    @Test
    void anErrorAnswersAClientThatAsksForHttp2() throws Exception {
        for (String method : List.of("GET", "DELETE")) {
            HttpClient fresh = HttpClient.newHttpClient(); // HTTP/2 preferred: the first request carries Upgrade: h2c
            HttpResponse<String> response = fresh.send(HttpRequest.newBuilder(URI.create(server().httpBase()
                    + (method.equals("GET") ? "no/such/thing" : "healthz"))).method(method, HttpRequest.BodyPublishers.noBody())
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(method.equals("GET") ? 404 : 405, response.statusCode());
            assertNotNull(json(response.body()).getJsonObject("error").getString("code"));
        }
    }

    @Test
    void httpErrorsHaveOneJsonShape() throws Exception {
        HttpResponse<String> missing = get("no/such/thing");
        assertEquals(404, missing.statusCode());
        assertEquals("application/json", missing.headers().firstValue("Content-Type").orElseThrow().split(";")[0]);
        JsonObject error = json(missing.body()).getJsonObject("error");
        assertEquals("not_found", error.getString("code"));
        assertEquals(missing.headers().firstValue("X-Request-ID").orElseThrow(), error.getString("requestId"));
        assertNotNull(error.getString("message"));

        HttpResponse<String> wrongMethod = HTTP.send(HttpRequest.newBuilder(
                URI.create(server().httpBase() + "healthz")).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, wrongMethod.statusCode());
        assertEquals("method_not_allowed", json(wrongMethod.body()).getJsonObject("error").getString("code"));
    }

    @Test
    void debugStatsDescribeTheNode() throws Exception {
        String topic = "d-" + UUID.randomUUID();
        try (WsClient a = WsClient.connect(ws(), topic);
             WsClient b = WsClient.connect(ws(), topic)) {
            HttpResponse<String> response = get("debug/stats");
            assertEquals(200, response.statusCode());
            JsonObject stats = json(response.body());
            assertTrue(stats.getInt("peers") >= 2);
            assertTrue(stats.getInt("topics") >= 1);
            assertTrue(stats.getJsonArray("largestTopics").stream().anyMatch(t -> t.asJsonObject()
                    .getString("topic").equals(topic) && t.asJsonObject().getInt("peers") == 2));
            assertTrue(stats.getJsonObject("heap").getJsonNumber("usedBytes").longValue() > 0);
            assertTrue(stats.getJsonObject("threads").getInt("live") > 0);
            assertFalse(stats.getJsonArray("gc").isEmpty());
            assertTrue(stats.getJsonNumber("uptimeSeconds").longValue() >= 0);
        }
    }

    /** What the runtime traces itself: Liberty an HTTP span for every request, with its query. */
    protected boolean runtimeTracesTheHandshake() {
        return true;
    }

    @Test
    void joinsRelaysAndLeavesAreTracedWithoutThePayload() throws Exception {
        String topic = "tr-" + UUID.randomUUID();
        String secret = "candidate:1 1 udp 2122260223 10.99.88.77 54321 typ host";
        try (WsClient a = WsClient.connect(ws(), topic);
             WsClient b = WsClient.connect(ws(), topic)) {
            a.next("peer-list");
            a.next("peer-joined");
            a.send("ice-candidate", b.selfId, "\"" + secret + "\"", "c1");
            b.await("ice-candidate");
        }
        try (WsClient stranger = WsClient.connect(ws(), topic + "?received=3",
                "lanscape-signaling", "resume.not-a-token.secret-resume-value")) {
            assertEquals("resume_failed", stranger.await("error").getString("code"));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<OtlpCollector.Span> spans = List.of();
        while (System.nanoTime() < deadline) {
            spans = collector.spans().stream().filter(span -> topic.equals(span.attribute("signaling.topic"))).toList();
            // every span awaited, the third join and the runtime's too: each can come in a later batch
            if (spans.stream().filter(span -> span.name().equals("signaling.join")).count() >= 3
                    && spans.stream().map(OtlpCollector.Span::name).collect(java.util.stream.Collectors.toSet())
                    .containsAll(List.of("signaling.relay", "signaling.leave", "signaling.resume"))
                    && (!runtimeTracesTheHandshake() || collector.spans().stream()
                    .anyMatch(span -> "received=3".equals(span.attribute("url.query"))))) {
                break;
            }
            Thread.sleep(100); // polling: the server exports in batches
        }
        String all = spans.toString();
        assertEquals(3, spans.stream().filter(span -> span.name().equals("signaling.join")).count(), all);
        assertTrue(spans.stream().anyMatch(span -> span.name().equals("signaling.relay")
                && "ice-candidate".equals(span.attribute("signaling.message.type"))
                && "delivered".equals(span.attribute("signaling.relay.result"))), all);
        assertTrue(spans.stream().anyMatch(span -> span.name().equals("signaling.leave")), all);
        assertTrue(spans.stream().anyMatch(span -> span.name().equals("signaling.resume")
                && "invalid".equals(span.attribute("signaling.resume.result"))), all);
        String log = Files.readString(server().log());
        assertFalse(collector.received("10.99.88.77") || log.contains("10.99.88.77"),
                "no payload (ICE addresses) in logs or spans");
        assertFalse(collector.received("secret-resume-value") || log.contains("secret-resume-value"),
                "a resume token sent in the subprotocol list never reaches a log or a span");
        if (runtimeTracesTheHandshake()) {
            assertTrue(collector.spans().stream().anyMatch(span -> "received=3".equals(span.attribute("url.query"))),
                    "the runtime's HTTP span has the query");
        }
    }

    /** A token in the URL (access_token, or a resume token) reaches no span: the runtime's HTTP span records the query. */
    @Test
    void aTokenInTheQueryNeverReachesASpan() throws Exception {
        String topic = "tq-" + UUID.randomUUID();
        try (WsClient peer = WsClient.connect(ws(), topic + "?access_token=query-secret-jwt&resume=query-secret-resume")) {
            assertEquals("resume_failed", peer.await("error").getString("code"));
        }
        String redacted = "access_token=REDACTED&resume=REDACTED";
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline && (collector.spans().stream().noneMatch(span ->
                topic.equals(span.attribute("signaling.topic")) && span.name().equals("signaling.resume"))
                || runtimeTracesTheHandshake() && collector.spans().stream()
                .noneMatch(span -> redacted.equals(span.attribute("url.query"))))) {
            Thread.sleep(100); // polling: the server exports in batches
        }
        if (runtimeTracesTheHandshake()) {
            assertTrue(collector.spans().stream().anyMatch(span -> redacted.equals(span.attribute("url.query"))),
                    "the runtime's HTTP span keeps the query, its secrets redacted: " + collector.spans().stream()
                            .filter(span -> span.attribute("url.query") != null).toList());
        }
        assertFalse(collector.received("query-secret"), "no token from the query in any span");
        assertFalse(Files.readString(server().log()).contains("query-secret"), "nor in the log");
    }
}
