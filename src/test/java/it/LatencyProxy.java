package it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy in front of a server that holds every chunk back for a delay in each direction, as a
 * network between the nodes and Redis does (loopback answers in microseconds; a data centre's
 * network in a fraction of a millisecond or more). Order is kept per direction. {@link #cut}
 * drops every connection and refuses new ones until {@link #restore}, as a partition does.
 */
final class LatencyProxy implements AutoCloseable {

    private record Chunk(byte[] bytes, long due) {
    }

    private final ServerSocket listener;
    private final int targetPort;
    private final long delayNanos;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;
    private volatile boolean refusing;

    LatencyProxy(int targetPort, long delayMicros) throws IOException {
        this.targetPort = targetPort;
        this.delayNanos = TimeUnit.MICROSECONDS.toNanos(delayMicros);
        this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        daemon("latency-proxy-accept", this::accept);
    }

    String url() {
        return "redis://127.0.0.1:" + listener.getLocalPort();
    }

    private void accept() {
        while (running) {
            try {
                Socket client = listener.accept();
                if (refusing) {
                    close(client);
                    continue;
                }
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                open.add(client);
                open.add(server);
                pipe(client, server);
                pipe(server, client);
            } catch (IOException e) {
                if (!running) {
                    return;
                }
            }
        }
    }

    /** One direction: a reader that stamps each chunk and a writer that sends it once its delay passed. */
    private void pipe(Socket from, Socket to) {
        BlockingQueue<Chunk> chunks = new LinkedBlockingQueue<>();
        daemon("latency-proxy-read", () -> {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    chunks.add(new Chunk(Arrays.copyOf(buffer, n), System.nanoTime() + delayNanos));
                }
            } catch (IOException e) {
                // closed
            }
            chunks.add(new Chunk(null, 0));
        });
        daemon("latency-proxy-write", () -> {
            try (OutputStream out = to.getOutputStream()) {
                while (true) {
                    Chunk chunk = chunks.take();
                    if (chunk.bytes() == null) {
                        break;
                    }
                    long wait = chunk.due() - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait); // the delay itself
                    }
                    out.write(chunk.bytes());
                }
            } catch (IOException | InterruptedException e) {
                // closed
            } finally {
                close(from);
                close(to);
            }
        });
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    /** Every connection dropped, and new ones refused until {@link #restore}. */
    void cut() {
        refusing = true;
        open.forEach(LatencyProxy::close);
        open.clear();
    }

    void restore() {
        refusing = false;
    }

    @Override
    public void close() throws IOException {
        running = false;
        listener.close();
        open.forEach(LatencyProxy::close);
    }

    private static void daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }
}
