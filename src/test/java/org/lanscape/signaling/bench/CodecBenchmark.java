package org.lanscape.signaling.bench;

import org.lanscape.signaling.protocol.ClientMessage;
import org.lanscape.signaling.protocol.ClientMessageDecoder;
import org.lanscape.signaling.protocol.ServerMessage;
import org.lanscape.signaling.protocol.ServerMessageEncoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/** Decode of a client relay and encode of the relayed frame, with SDP-like payloads. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {

    @Param({"200", "2048", "16384"})
    int payloadSize;

    private final ClientMessageDecoder decoder = new ClientMessageDecoder();
    private String inbound;
    private ClientMessage decoded;

    @Setup
    public void setUp() {
        StringBuilder sdp = new StringBuilder();
        while (sdp.length() < payloadSize) {
            sdp.append("a=candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host\\r\\n");
        }
        inbound = "{\"type\":\"offer\",\"to\":\"01J5ZZZZZZZZZZZZZZZZZZZZZZ\",\"payload\":{\"type\":\"offer\",\"sdp\":\""
                + sdp.substring(0, payloadSize) + "\"},\"msgId\":\"m-42\"}";
        decoded = (ClientMessage) decoder.decode(inbound);
    }

    @Benchmark
    public Object decodeRelay() {
        return decoder.decode(inbound);
    }

    @Benchmark
    public String encodeRelayed() {
        return ServerMessageEncoder.toJson(new ServerMessage.Relayed(decoded.type(), "01J5AAAAAAAAAAAAAAAAAAAAAA",
                decoded.payload(), decoded.msgId()));
    }

    @Benchmark
    public String encodePeerJoined() {
        return ServerMessageEncoder.toJson(new ServerMessage.PeerJoined("01J5AAAAAAAAAAAAAAAAAAAAAA", null));
    }

    @Benchmark
    public String encodePeerList10() {
        return ServerMessageEncoder.toJson(new ServerMessage.PeerList(List.of(
                new org.lanscape.signaling.protocol.PeerRecord("01J5AAAAAAAAAAAAAAAAAAAAA0", null),
                new org.lanscape.signaling.protocol.PeerRecord("01J5AAAAAAAAAAAAAAAAAAAAA1", null),
                new org.lanscape.signaling.protocol.PeerRecord("01J5AAAAAAAAAAAAAAAAAAAAA2", null),
                new org.lanscape.signaling.protocol.PeerRecord("01J5AAAAAAAAAAAAAAAAAAAAA3", null),
                new org.lanscape.signaling.protocol.PeerRecord("01J5AAAAAAAAAAAAAAAAAAAAA4", null),
                new org.lanscape.signaling.protocol.PeerRecord("01J5AAAAAAAAAAAAAAAAAAAAA5", null),
                new org.lanscape.signaling.protocol.PeerRecord("01J5AAAAAAAAAAAAAAAAAAAAA6", null),
                new org.lanscape.signaling.protocol.PeerRecord("01J5AAAAAAAAAAAAAAAAAAAAA7", null),
                new org.lanscape.signaling.protocol.PeerRecord("01J5AAAAAAAAAAAAAAAAAAAAA8", null),
                new org.lanscape.signaling.protocol.PeerRecord("01J5AAAAAAAAAAAAAAAAAAAAA9", null))));
    }
}
