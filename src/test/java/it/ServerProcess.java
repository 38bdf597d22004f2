package it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;

/** A server process a test starts itself: Liberty ({@link LibertyServer}) or Payara Micro ({@link PayaraServer}). */
interface ServerProcess extends AutoCloseable {

    /**
     * HTTP/1.1 only, as a kubelet probe or a load balancer asks: the JDK client's default first
     * request asks to upgrade to h2c, and on a runtime still deploying (a 404 error page) an upgraded
     * connection may never answer, and every later poll would wait on that same connection.
     */
    HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    int port();

    /** The log the server writes the application's lines to. */
    Path log();

    boolean isAlive();

    /** The process id of the server's JVM. */
    long pid();

    /** Asks the JVM to stop, as an orchestrator does. */
    void sigterm();

    /** Ends the JVM at once: no shutdown hook runs. */
    void kill9();

    /** Waits for the process to end; true if it did within {@code max}. */
    boolean awaitExit(Duration max) throws InterruptedException;

    @Override
    void close();

    default String httpBase() {
        return "http://127.0.0.1:" + port() + "/";
    }

    default String wsBase() {
        return "ws://127.0.0.1:" + port() + "/";
    }

    /** The status a GET of the path answers, or -1 when nothing answers. */
    default int status(String path) {
        try {
            return HTTP.send(get(path), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * Waits until /health/ready answers 200; if it does not within {@code max}, stops the server
     * and throws, saying what readiness answered last.
     */
    default void requireReady(String name, Duration max) throws InterruptedException {
        if (!awaitSynced(max)) {
            String now = isAlive() ? describe("/health/ready") : "the process ended";
            close();
            throw new IllegalStateException(name + " did not become ready (" + now + "); see " + log());
        }
    }

    /** What a GET of the path answers now, status and the start of the body, for a failure's message. */
    private String describe(String path) {
        try {
            HttpResponse<String> response = HTTP.send(get(path), HttpResponse.BodyHandlers.ofString());
            String body = response.body();
            return path + " answers " + response.statusCode() + " " + body.substring(0, Math.min(300, body.length()));
        } catch (IOException e) {
            return path + " does not answer (" + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return path + ": interrupted";
        }
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(URI.create(httpBase() + path.substring(1))).timeout(Duration.ofSeconds(5)).build();
    }

    /**
     * Polls until /health/ready answers 200 with {@code "cluster":true} in its data: ready, and in
     * cluster mode registered with Redis (readiness itself does not wait for Redis).
     */
    default boolean awaitSynced(Duration max) throws InterruptedException {
        return awaitCluster(true, max);
    }

    /** Polls until /health/ready answers 200 with that {@code cluster} state in its data. */
    default boolean awaitCluster(boolean synced, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline && isAlive()) {
            try {
                HttpResponse<String> response = HTTP.send(get("/health/ready"), HttpResponse.BodyHandlers.ofString());
                String body = response.body().replace(" ", "");
                // Liberty writes the data's boolean as a JSON boolean, Payara as a string
                if (response.statusCode() == 200 && (body.contains("\"cluster\":" + synced) || body.contains("\"cluster\":\"" + synced + "\""))) {
                    return true;
                }
            } catch (IOException e) {
                // not answering yet
            }
            Thread.sleep(250); // polling: a process outside the test has no event to await
        }
        return false;
    }

    /** Polls until the path answers that status, or the time is up (or the process ended). */
    default boolean awaitStatus(String path, int expected, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline && isAlive()) {
            if (status(path) == expected) {
                return true;
            }
            Thread.sleep(250); // polling: a process outside the test has no event to await
        }
        return false;
    }

    /** Polls the log until a line contains the text, or the time is up. */
    default Optional<String> awaitLogLine(String text, Duration max) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log())) {
                try (Stream<String> lines = Files.lines(log())) {
                    Optional<String> line = lines.filter(l -> l.contains(text)).findFirst();
                    if (line.isPresent()) {
                        return line;
                    }
                }
            }
            Thread.sleep(250);
        }
        return Optional.empty();
    }
}
