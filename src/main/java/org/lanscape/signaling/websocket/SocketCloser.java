package org.lanscape.signaling.websocket;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Where connections are closed: threads of the application's own, never the container's shared
 * executor. On Liberty a close waits for the connection's pending read and write to clear
 * ({@code WsocConnLink.finishReadBeforeClose} up to 8.5 s, {@code okToWrite} up to 5.5 s), so that
 * closing a crowd of dead peers on the shared executor starved every healthy connection (a relay
 * took 7 s while 300 silent peers were closed). Here they queue behind one another instead, and
 * a waiting close costs a parked thread of this pool, nothing else.
 */
@ApplicationScoped
public class SocketCloser implements Executor {

    /** Closes that may wait at once; the rest queue. */
    static final int THREADS = 32;
    private static final Logger LOG = Logger.getLogger(SocketCloser.class.getName());

    private final ThreadPoolExecutor threads = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), runnable -> {
                Thread thread = new Thread(runnable, "signaling-close");
                thread.setDaemon(true);
                return thread;
            });

    public SocketCloser() {
        threads.allowCoreThreadTimeOut(true);
    }

    @Override
    public void execute(Runnable close) {
        threads.execute(close);
    }

    /** Closes waiting for a thread, for /debug/stats. */
    public int waiting() {
        return threads.getQueue().size();
    }

    @PreDestroy
    void stop() {
        threads.shutdown();
        LOG.fine("socket closer stopped");
    }
}
