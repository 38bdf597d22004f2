package it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A Liberty server process of our own, for what Arquillian cannot do: send it SIGTERM or kill -9,
 * start it with a given environment. It runs the project's own server.xml and the built WAR,
 * exactly as {@code ./mvnw liberty:run} does, from the runtime the build installed.
 */
final class LibertyServer implements ServerProcess {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final String name;
    final int port;
    final Path dir;
    private final Process process;

    private LibertyServer(String name, int port, Path dir, Process process) {
        this.name = name;
        this.port = port;
        this.dir = dir;
        this.process = process;
    }

    /** Creates usr/servers/{name} afresh and starts it in the foreground; does not wait for it. */
    static LibertyServer launch(String name, Map<String, String> env) throws IOException {
        Path wlp = Path.of(System.getProperty("it.wlpHome", "target/liberty/wlp"));
        Path dir = wlp.resolve("usr/servers").resolve(name);
        deleteTree(dir);
        Files.createDirectories(dir.resolve("apps"));
        Files.copy(Path.of(System.getProperty("it.serverXml", "server.xml")), dir.resolve("server.xml"));
        Files.copy(Path.of(System.getProperty("it.war", "target/lanscape-signaling.war")),
                dir.resolve("apps/lanscape-signaling.war"));
        int port = freePort();
        ProcessBuilder builder = new ProcessBuilder(wlp.resolve("bin/server").toString(), "run", name)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("console.log").toFile());
        builder.environment().put("PORT", String.valueOf(port));
        builder.environment().putAll(env);
        return new LibertyServer(name, port, dir, builder.start());
    }

    /** Launches and waits until /health/ready answers 200. */
    static LibertyServer start(String name, Map<String, String> env) throws IOException, InterruptedException {
        LibertyServer server = launch(name, env);
        if (!server.awaitStatus("/health/ready", 200, Duration.ofSeconds(120))) {
            server.close();
            throw new IllegalStateException(name + " did not become ready; see " + server.dir.resolve("logs"));
        }
        return server;
    }

    @Override
    public int port() {
        return port;
    }

    int status(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(httpBase() + path.substring(1)))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Polls until the path answers that status, or the time is up. */
    boolean awaitStatus(String path, int expected, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            if (status(path) == expected) {
                return true;
            }
            Thread.sleep(250);
        }
        return false;
    }

    /** Polls messages.log until a line contains the text, or the time is up. */
    Optional<String> awaitLogLine(String text, Duration max) throws IOException, InterruptedException {
        Path log = dir.resolve("logs/messages.log");
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                try (Stream<String> lines = Files.lines(log)) {
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

    /** The JVM itself: `server run` may or may not exec it in place of the script. */
    ProcessHandle jvm() {
        return process.descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("java")).orElse(false))
                .findFirst().orElse(process.toHandle());
    }

    boolean isAlive() {
        return process.isAlive() && jvm().isAlive();
    }

    void sigterm() {
        jvm().destroy();
    }

    void kill9() {
        jvm().destroyForcibly();
    }

    /** Waits for the process to end; true if it did within {@code max}. */
    boolean awaitExit(Duration max) throws InterruptedException {
        ProcessHandle jvm = jvm();
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (!jvm.isAlive() && !process.isAlive()) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            jvm().destroyForcibly();
            process.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
