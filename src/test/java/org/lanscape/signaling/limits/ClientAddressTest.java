package org.lanscape.signaling.limits;

import org.junit.jupiter.api.Test;
import org.lanscape.signaling.config.InvalidConfigException;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientAddressTest {

    @Test
    void withoutTrustedProxiesTheTcpPeerIsTheClientWhateverTheHeaderSays() {
        assertEquals("203.0.113.7", new ClientAddress(List.of()).of("203.0.113.7", "198.51.100.1"));
    }

    @Test
    void behindATrustedProxyTheLastAddressItDidNotAddItselfIsTheClient() {
        ClientAddress addresses = new ClientAddress(List.of("10.0.0.0/8", "fd00::/8"));
        assertEquals("198.51.100.1", addresses.of("10.1.2.3", "198.51.100.1"));
        // the client wrote the first entry itself; the proxies appended the rest
        assertEquals("198.51.100.1", addresses.of("10.1.2.3", "1.2.3.4, 198.51.100.1, 10.9.9.9"));
        assertEquals("2001:db8::1", addresses.of("fd00::5", "2001:db8::1"));
        assertEquals("10.1.2.3", addresses.of("10.1.2.3", null));
        assertEquals("10.1.2.3", addresses.of("10.1.2.3", "10.4.4.4"), "only proxies: the last one's peer");
    }

    @Test
    void aClientThatIsNotATrustedProxyCannotChooseItsAddress() {
        ClientAddress addresses = new ClientAddress(List.of("10.0.0.1"));
        assertEquals("203.0.113.7", addresses.of("203.0.113.7", "1.2.3.4"));
        assertEquals("10.0.0.2", addresses.of("10.0.0.2", "1.2.3.4"), "a neighbour of the proxy is not the proxy");
    }

    @Test
    void aBadEntryIsRefusedWithItsName() {
        for (String bad : List.of("10.0.0.0/33", "proxy.example.com", "10.0.0/8", "fd00::/129", "10.0.0.0/x")) {
            InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> new ClientAddress(List.of(bad)), bad);
            assertTrue(e.getMessage().contains("signaling.handshake.trusted-proxies"), e.getMessage());
        }
    }
}
