package dev.imagefactory.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CorsPolicyTest {

    @Test
    void originsMatchExactlyOrByOneWildcardIgnoringCase() {
        CorsPolicy policy = CorsPolicy.of(List.of(" https://App.example.com ", "https://*.tools.example"));
        assertTrue(policy.allowsOrigin("https://app.example.com"));
        assertTrue(policy.allowsOrigin("HTTPS://APP.EXAMPLE.COM"));
        assertTrue(policy.allowsOrigin("https://a.b.tools.example"));
        assertFalse(policy.allowsOrigin("https://tools.example"));
        assertFalse(policy.allowsOrigin("https://app.example.com.evil"));
        assertFalse(policy.allowsOrigin("http://app.example.com"));
        assertFalse(policy.allowsOrigin(null));
        assertTrue(CorsPolicy.of(List.of("*")).allowsOrigin("null"));
    }

    @Test
    void aListedOriginIsEchoedAndAnyOriginIsAStar() {
        CorsPolicy listed = CorsPolicy.of(List.of("https://app.example.com"));
        assertEquals(Map.of("Access-Control-Allow-Origin", "https://app.example.com", "Access-Control-Allow-Methods", "HEAD"),
                listed.preflight("https://app.example.com", "head", null, "/versions"));
        assertEquals("*", CorsPolicy.of(List.of("*")).actual("https://x", "GET", "/versions")
                .get("Access-Control-Allow-Origin"));
        assertEquals(Map.of(), listed.actual("https://x", "GET", "/versions"));
        assertEquals(Map.of(), listed.actual("https://app.example.com", "POST", "/versions"));
    }

    @Test
    void postIsAllowedWhereSomethingIsCreatedOrStarted() {
        CorsPolicy any = CorsPolicy.of(List.of("*"));
        for (String path : List.of("/schematics", "/builds")) {
            assertEquals("POST", any.preflight("https://x", "POST", null, path).get("Access-Control-Allow-Methods"), path);
        }
        assertEquals(Map.of(), any.preflight("https://x", "POST", null, "/builds/abc"));
        assertEquals(Map.of(), any.preflight("https://x", "POST", null, "/image/x/v1.11.0/kernel-amd64"));
    }

    @Test
    void aPatternWithTwoWildcardsStopsTheStart() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CorsPolicy.of(List.of("https://*.*.example")));
        assertTrue(e.getMessage().contains("factory.http.allowed-origins"), e.getMessage());
    }
}
