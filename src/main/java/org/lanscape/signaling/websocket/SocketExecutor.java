package org.lanscape.signaling.websocket;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.Executor;

/**
 * The container's managed executor, looked up once for the application: a {@code @Resource} on
 * the endpoint would be a JNDI lookup for every connection (it showed in the connect profile).
 */
@ApplicationScoped
public class SocketExecutor implements Executor {

    @Resource
    ManagedExecutorService executor;

    @Override
    public void execute(Runnable command) {
        executor.execute(command);
    }
}
