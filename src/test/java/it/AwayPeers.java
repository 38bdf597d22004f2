package it;

import jakarta.json.Json;
import jakarta.json.JsonString;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Waits until a server lists a peer as away (its connection lost, its session held for a resume). */
final class AwayPeers {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private AwayPeers() {
    }

    /** Polls {@code <httpBase>debug/stats} (the server has no event to wait on) for up to 10 s. */
    static void await(String httpBase, String peerId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            String stats = HTTP.send(HttpRequest.newBuilder(URI.create(httpBase + "debug/stats")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            if (Json.createReader(new StringReader(stats)).readObject().getJsonArray("awayPeers").stream()
                    .anyMatch(v -> ((JsonString) v).getString().equals(peerId))) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(peerId + " was never away on " + httpBase);
    }
}
