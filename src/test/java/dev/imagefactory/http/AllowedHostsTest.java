package dev.imagefactory.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AllowedHostsTest {

    private static AllowedHosts local(Optional<List<String>> configured) {
        return AllowedHosts.of("127.0.0.1", "https://factory.example.test", Optional.of("http://pxe.example.test:8080/"),
                configured);
    }

    @Test
    void boundElsewhereEveryNameIsAnswered() {
        AllowedHosts hosts = AllowedHosts.of("0.0.0.0", "http://localhost:8080", Optional.empty(), Optional.empty());
        assertFalse(hosts.validates());
        assertTrue(hosts.allows("anything.example.test"));
    }

    @Test
    void boundToLocalhostTheLocalAndExternalNamesAreAnsweredAndNoOther() {
        AllowedHosts hosts = local(Optional.empty());
        assertTrue(hosts.validates());
        assertTrue(hosts.allows("localhost:8080"));
        assertTrue(hosts.allows("127.0.0.1"));
        assertTrue(hosts.allows("[::1]:8080"));
        assertTrue(hosts.allows("FACTORY.example.test"));
        assertTrue(hosts.allows("pxe.example.test:8080"));
        assertFalse(hosts.allows("rebound.attacker.test"));
        assertFalse(hosts.allows("factory.example.test.attacker.test"));
        assertTrue(hosts.allows(null), "HTTP/1.0 without Host");
    }

    @Test
    void aConfiguredListReplacesTheExternalHostsAndStarAllowsAll() {
        AllowedHosts hosts = local(Optional.of(List.of("10.0.2.2")));
        assertTrue(hosts.allows("10.0.2.2:8080"));
        assertTrue(hosts.allows("localhost"));
        assertFalse(hosts.allows("factory.example.test"));
        assertFalse(local(Optional.of(List.of("*"))).validates());
    }
}
