package it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP load balancer inside the test, as a Kubernetes Service is: each new connection goes to the
 * next backend, round robin, among those whose /health/ready answered 200 at the last probe (every
 * 100 ms, or as often as a test says: a Kubernetes probe runs at most once a second); bytes are piped both ways until either side closes. Connections already open stay
 * where they are.
 */
final class TcpBalancer implements AutoCloseable {

    private final List<ServerProcess> backends;
    private final ServerSocket listener;
    private final Set<ServerProcess> ready = ConcurrentHashMap.newKeySet();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger next = new AtomicInteger();
    private volatile boolean running = true;
    private volatile ServerProcess lastRouted;
    private final long probeEveryMillis;

    private TcpBalancer(List<ServerProcess> backends, java.time.Duration probeEvery) throws IOException {
        this.backends = List.copyOf(backends);
        this.probeEveryMillis = probeEvery.toMillis();
        this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    }

    static TcpBalancer start(List<ServerProcess> backends) throws IOException, InterruptedException {
        return start(backends, java.time.Duration.ofMillis(100));
    }

    static TcpBalancer start(List<ServerProcess> backends, java.time.Duration probeEvery) throws IOException, InterruptedException {
        TcpBalancer balancer = new TcpBalancer(backends, probeEvery);
        balancer.probe();
        daemon("balancer-probe", balancer::probeLoop);
        daemon("balancer-accept", balancer::acceptLoop);
        return balancer;
    }

    /** The backend the latest connection went to. */
    ServerProcess lastRouted() {
        return lastRouted;
    }

    String wsBase() {
        return "ws://127.0.0.1:" + listener.getLocalPort() + "/";
    }

    private void probeLoop() {
        while (running) {
            probe();
            try {
                Thread.sleep(probeEveryMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void probe() {
        for (ServerProcess backend : backends) {
            if (backend.isAlive() && backend.status("/health/ready") == 200) {
                ready.add(backend);
            } else {
                ready.remove(backend);
            }
        }
    }

    private void acceptLoop() {
        while (running) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            List<ServerProcess> candidates = backends.stream().filter(ready::contains).toList();
            if (candidates.isEmpty()) {
                closeQuietly(client);
                continue;
            }
            ServerProcess backend = candidates.get(Math.floorMod(next.getAndIncrement(), candidates.size()));
            try {
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), backend.port());
                lastRouted = backend;
                open.add(client);
                open.add(upstream);
                daemon("balancer-up", () -> pipe(client, upstream));
                daemon("balancer-down", () -> pipe(upstream, client));
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    private void pipe(Socket from, Socket to) {
        byte[] buffer = new byte[16384];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side went: the other follows
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void closeQuietly(Socket socket) {
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        running = false;
        listener.close();
        open.forEach(this::closeQuietly);
    }
}
