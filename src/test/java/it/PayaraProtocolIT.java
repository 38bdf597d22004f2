package it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ProtocolContract} on Payara Micro 6, with the WAR that Liberty runs, unchanged. */
class PayaraProtocolIT extends ProtocolContract {

    private static PayaraServer payara;

    @BeforeAll
    static void start() throws Exception {
        payara = PayaraServer.start(Map.of());
    }

    @AfterAll
    static void stop() {
        if (payara != null) {
            payara.close();
        }
    }

    @BeforeEach
    void target() throws Exception {
        base = payara.url();
    }

    @Test
    void healthAndMetricsAnswerAsOnLiberty() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String probe : List.of("health/live", "health/ready", "health/started")) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create(payara.httpBase() + probe)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), probe);
            assertTrue(response.body().contains("\"UP\""), probe);
        }
        String metrics = http.send(HttpRequest.newBuilder(URI.create(payara.httpBase() + "metrics?scope=application"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        for (String name : List.of("signaling_peers{", "signaling_topics{", "signaling_joins_total{",
                "signaling_relay_latency_seconds_count{", "signaling_relays_total{")) {
            assertTrue(metrics.contains(name), name + " in\n" + metrics);
        }
    }
}
