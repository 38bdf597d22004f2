package it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real redis-server (Debian's package, which .ci/run installs) on a free loopback port, as a
 * child process that the test can stop and start again, empty, on the same port.
 */
final class RedisServer implements AutoCloseable {

    final int port;
    private final Path dir;
    private Process process;

    private RedisServer(int port, Path dir) {
        this.port = port;
        this.dir = dir;
    }

    static RedisServer start() throws IOException, InterruptedException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        RedisServer redis = new RedisServer(port, Files.createTempDirectory("redis"));
        redis.restart();
        return redis;
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts it (again): no persistence, so a restart comes back empty. */
    void restart() throws IOException, InterruptedException {
        process = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("redis-server did not start on port " + port);
    }

    boolean isRunning() {
        return process != null && process.isAlive();
    }

    void stop() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            stop();
        }
    }
}
