package it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP trace receiver inside the test, as a collector would be: it takes what a server
 * exports to {@code /v1/traces} (protobuf), and keeps each span's name and attributes, and the raw
 * bytes, so that a test can also check what was never exported.
 */
final class OtlpCollector implements AutoCloseable {

    record Span(String name, Map<String, String> attributes) {
        String attribute(String key) {
            return attributes.get(key);
        }
    }

    private final HttpServer server;
    private final List<Span> spans = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream raw = new ByteArrayOutputStream();

    private OtlpCollector(HttpServer server) {
        this.server = server;
    }

    static OtlpCollector start() throws IOException {
        OtlpCollector collector = new OtlpCollector(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0));
        collector.server.createContext("/v1/traces", collector::export);
        collector.server.start();
        return collector;
    }

    /** The base URL an OTLP exporter is given (it adds /v1/traces itself). */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The environment that makes a server export its spans here, at once. */
    Map<String, String> env() {
        return Map.of("OTEL_SDK_DISABLED", "false", "OTEL_TRACES_EXPORTER", "otlp",
                "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf", "OTEL_EXPORTER_OTLP_ENDPOINT", endpoint(),
                "OTEL_BSP_SCHEDULE_DELAY", "100", "OTEL_METRICS_EXPORTER", "none", "OTEL_LOGS_EXPORTER", "none",
                "OTEL_SERVICE_NAME", "lanscape-signaling-it");
    }

    List<Span> spans() {
        return List.copyOf(spans);
    }

    /** Whether any exported byte sequence contains the text (UTF-8), in any field. */
    boolean received(String text) {
        synchronized (raw) {
            return new String(raw.toByteArray(), StandardCharsets.ISO_8859_1)
                    .contains(new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
        }
    }

    private void export(HttpExchange exchange) throws IOException {
        try (exchange) {
            InputStream in = exchange.getRequestBody();
            if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                in = new GZIPInputStream(in);
            }
            byte[] body = in.readAllBytes();
            synchronized (raw) {
                raw.writeBytes(body);
            }
            // ExportTraceServiceRequest: 1 resource_spans { 2 scope_spans { 2 spans } }
            for (byte[] resourceSpans : new Proto(body).all(1)) {
                for (byte[] scopeSpans : new Proto(resourceSpans).all(2)) {
                    for (byte[] span : new Proto(scopeSpans).all(2)) {
                        spans.add(span(span));
                    }
                }
            }
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse: all accepted
        }
    }

    /** Span: 5 name, 9 attributes (KeyValue: 1 key, 2 AnyValue: 1 string, 2 bool, 3 int, 4 double). */
    private static Span span(byte[] bytes) {
        Proto span = new Proto(bytes);
        Map<String, String> attributes = new LinkedHashMap<>();
        for (byte[] keyValue : span.all(9)) {
            Proto kv = new Proto(keyValue);
            List<byte[]> value = kv.all(2);
            attributes.put(new String(kv.all(1).get(0), StandardCharsets.UTF_8),
                    value.isEmpty() ? "" : anyValue(value.get(0)));
        }
        List<byte[]> name = span.all(5);
        return new Span(name.isEmpty() ? "" : new String(name.get(0), StandardCharsets.UTF_8), attributes);
    }

    private static String anyValue(byte[] bytes) {
        Proto value = new Proto(bytes);
        List<byte[]> text = value.all(1);
        if (!text.isEmpty()) {
            return new String(text.get(0), StandardCharsets.UTF_8);
        }
        Long number = value.varint(3);
        if (number != null) {
            return Long.toString(number);
        }
        Long bool = value.varint(2);
        return bool == null ? "" : Boolean.toString(bool != 0);
    }

    /** Just enough of the protobuf wire format to walk the fields of one message. */
    private static final class Proto {
        private final byte[] bytes;

        Proto(byte[] bytes) {
            this.bytes = bytes;
        }

        /** Every length-delimited field with this number, in order. */
        List<byte[]> all(int field) {
            List<byte[]> found = new java.util.ArrayList<>();
            walk((number, value, varint) -> {
                if (number == field && value != null) {
                    found.add(value);
                }
            });
            return found;
        }

        /** The varint field with this number, or null. */
        Long varint(int field) {
            Long[] found = {null};
            walk((number, value, varint) -> {
                if (number == field && value == null) {
                    found[0] = varint;
                }
            });
            return found[0];
        }

        private interface Visitor {
            void field(int number, byte[] value, long varint);
        }

        private void walk(Visitor visitor) {
            int[] at = {0};
            while (at[0] < bytes.length) {
                long tag = readVarint(at);
                int number = (int) (tag >>> 3);
                switch ((int) (tag & 7)) {
                    case 0 -> visitor.field(number, null, readVarint(at));
                    case 1 -> at[0] += 8;
                    case 2 -> {
                        int length = (int) readVarint(at);
                        byte[] value = java.util.Arrays.copyOfRange(bytes, at[0], at[0] + length);
                        at[0] += length;
                        visitor.field(number, value, 0);
                    }
                    case 5 -> at[0] += 4;
                    default -> throw new IllegalArgumentException("wire type " + (tag & 7) + " at " + at[0]);
                }
            }
        }

        private long readVarint(int[] at) {
            long value = 0;
            for (int shift = 0; ; shift += 7) {
                byte b = bytes[at[0]++];
                value |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    return value;
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
