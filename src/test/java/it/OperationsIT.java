package it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Health, metrics, request ids, the JSON error shape, debug stats and traces, on the deployed WAR. */
@ExtendWith(ArquillianExtension.class)
class OperationsIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.builtWar();
    }

    @ArquillianResource
    URL base;

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(Deployments.httpBase(base) + path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Health answers at the server root, whatever the application's context root is. */
    private HttpResponse<String> health(String path) throws Exception {
        URI root = URI.create(base.toString()).resolve("/");
        return HTTP.send(HttpRequest.newBuilder(root.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
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
        try (WsClient a = WsClient.connect(Deployments.wsBase(base), topic);
             WsClient b = WsClient.connect(Deployments.wsBase(base), topic)) {
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

        try (RawWebSocket raw = new RawWebSocket(URI.create(Deployments.wsBase(base) + "ws/rid"), 0,
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
            HttpResponse<String> response = fresh.send(HttpRequest.newBuilder(URI.create(Deployments.httpBase(base)
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
                URI.create(Deployments.httpBase(base) + "healthz")).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, wrongMethod.statusCode());
        assertEquals("method_not_allowed", json(wrongMethod.body()).getJsonObject("error").getString("code"));
    }

    @Test
    void debugStatsDescribeTheNode() throws Exception {
        String topic = "d-" + UUID.randomUUID();
        try (WsClient a = WsClient.connect(Deployments.wsBase(base), topic);
             WsClient b = WsClient.connect(Deployments.wsBase(base), topic)) {
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

    /** The test server runs with otel.sdk.disabled=false and the logging exporter (jvm.options). */
    @Test
    void joinsRelaysAndLeavesAreTracedWithoutThePayload() throws Exception {
        String topic = "tr-" + UUID.randomUUID();
        String secret = "candidate:1 1 udp 2122260223 10.99.88.77 54321 typ host";
        try (WsClient a = WsClient.connect(Deployments.wsBase(base), topic);
             WsClient b = WsClient.connect(Deployments.wsBase(base), topic)) {
            a.next("peer-list");
            a.next("peer-joined");
            a.send("ice-candidate", b.selfId, "\"" + secret + "\"", "c1");
            b.await("ice-candidate");
        }
        try (WsClient stranger = WsClient.connect(Deployments.wsBase(base), topic + "?received=3",
                "lanscape-signaling", "resume.not-a-token.secret-resume-value")) {
            assertEquals("resume_failed", stranger.await("error").getString("code"));
        }
        Path log = Path.of(System.getProperty("it.wlpHome"), "usr/servers", System.getProperty("it.serverName"),
                "logs/messages.log");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<String> spans = List.of();
        while (System.nanoTime() < deadline) {
            spans = Files.readAllLines(log).stream().filter(l -> l.contains(topic)).toList();
            if (spans.stream().anyMatch(l -> l.contains("'signaling.leave'"))
                    && spans.stream().anyMatch(l -> l.contains("'signaling.relay'"))
                    && spans.stream().anyMatch(l -> l.contains("'signaling.resume'"))) {
                break;
            }
            Thread.sleep(250);
        }
        assertTrue(spans.stream().anyMatch(l -> l.contains("'signaling.join'")), String.join("\n", spans));
        assertTrue(spans.stream().anyMatch(l -> l.contains("'signaling.relay'")
                && l.contains("signaling.message.type=ice-candidate")
                && l.contains("signaling.relay.result=delivered")), String.join("\n", spans));
        assertTrue(spans.stream().anyMatch(l -> l.contains("'signaling.leave'")), String.join("\n", spans));
        assertTrue(spans.stream().anyMatch(l -> l.contains("'signaling.resume'")
                && l.contains("signaling.resume.result=invalid")), String.join("\n", spans));
        assertFalse(Files.readString(log).contains("10.99.88.77"), "no payload (ICE addresses) in logs or spans");
        assertTrue(Files.readString(log).contains("url.query=received=3"), "the runtime's HTTP span has the query");
        assertFalse(Files.readString(log).contains("secret-resume-value"),
                "a resume token sent in the subprotocol list never reaches a log or a span");
    }
}
