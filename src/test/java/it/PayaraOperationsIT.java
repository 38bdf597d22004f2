package it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.Map;

/** {@link OperationsContract} on Payara Micro 6, tracing with MP Telemetry's OTLP exporter. */
class PayaraOperationsIT extends OperationsContract {

    private static PayaraServer server;

    @BeforeAll
    static void start() throws Exception {
        collector = OtlpCollector.start();
        server = PayaraServer.start(Map.of(), env());
        scrapeOnce(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Payara's MP Telemetry traces JAX-RS requests only: there is no span of its own for a servlet request or an upgrade. */
    @Override
    protected boolean runtimeTracesTheHandshake() {
        return false;
    }

    @Override
    ServerProcess server() {
        return server;
    }
}
