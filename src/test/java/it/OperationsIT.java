package it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link OperationsContract} on a Liberty server process, tracing with mpTelemetry's OTLP exporter. */
class OperationsIT extends OperationsContract {

    private static LibertyServer server;

    @BeforeAll
    static void start() throws Exception {
        collector = OtlpCollector.start();
        server = LibertyServer.start("opsServer", env());
        scrapeOnce(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    ServerProcess server() {
        return server;
    }
}
