package dev.imagefactory.oci;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers a registry's authentication challenges (distribution "token authentication"): Basic with the configured
 * credentials, or Bearer by fetching a token from the challenge's realm (anonymously, or with the credentials as
 * Basic) for the scope a request needs. Tokens are cached per scope until shortly before they expire, and once a
 * registry has asked for Bearer, tokens for new scopes are fetched before the first request instead of after a 401.
 */
final class RegistryAuth {

    /** The token spec's default lifetime when the server gives none, and its minimum. */
    private static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);
    private static final Duration EXPIRY_MARGIN = Duration.ofSeconds(10);
    private static final int MAX_TOKEN_RESPONSE = 1 << 20;

    @JsonIgnoreProperties(ignoreUnknown = true)
    record TokenResponse(String token, @JsonProperty("access_token") String accessToken,
            @JsonProperty("expires_in") Long expiresIn) {
    }

    private record Token(String value, Instant expires) {
    }

    private final RegistryEndpoint endpoint;
    private final HttpClient http;
    private final Duration timeout;
    private final Clock clock;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private volatile AuthChallenge bearerChallenge;
    private volatile boolean basic;

    RegistryAuth(RegistryEndpoint endpoint, HttpClient http, Duration timeout, Clock clock) {
        this.endpoint = endpoint;
        this.http = http;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** The Authorization header for a request needing {@code scope} ("" for none), when one is known in advance. */
    Optional<String> authorization(String scope) throws IOException {
        Token token = tokens.get(scope);
        if (token != null && clock.instant().isBefore(token.expires())) {
            return Optional.of("Bearer " + token.value());
        }
        if (basic) {
            return endpoint.credentials().map(RegistryCredentials::basicAuthorization);
        }
        AuthChallenge known = bearerChallenge;
        return known == null ? Optional.empty() : Optional.of(fetchToken(known, scope));
    }

    /** The Authorization header answering a 401 with these {@code WWW-Authenticate} headers. */
    String answer(List<String> challenges, String scope, String where) throws IOException {
        AuthChallenge challenge = AuthChallenge.choose(challenges).orElseThrow(() -> new RegistryException(
                where + ": 401 Unauthorized without a Basic or Bearer challenge", 401));
        if (challenge.isBasic()) {
            RegistryCredentials credentials = endpoint.credentials().orElseThrow(() -> new RegistryException(
                    where + ": 401 Unauthorized: the registry requires a user name and password", 401));
            basic = true;
            return credentials.basicAuthorization();
        }
        bearerChallenge = challenge;
        return fetchToken(challenge, scope);
    }

    private String fetchToken(AuthChallenge challenge, String scope) throws IOException {
        String realm = challenge.parameter("realm").orElseThrow(
                () -> new RegistryException(endpoint.host() + ": Bearer challenge without realm", 401));
        StringBuilder query = new StringBuilder();
        challenge.parameter("service").ifPresent(s -> append(query, "service", s));
        // the scope a request needs; a challenge's own scope is the same or, for a pull of another repo, the one asked for
        String wanted = scope.isEmpty() ? challenge.parameter("scope").orElse("") : scope;
        for (String s : wanted.split(" ")) {
            if (!s.isEmpty()) {
                append(query, "scope", s);
            }
        }
        URI uri = URI.create(realm + (query.length() == 0 ? "" : (realm.contains("?") ? "&" : "?") + query));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET();
        endpoint.credentials().ifPresent(c -> request.header("Authorization", c.basicAuthorization()));
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while fetching a registry token from " + realm);
        }
        if (response.statusCode() != 200) {
            throw new RegistryException("token request to " + realm + " for " + endpoint.host() + " failed: "
                    + response.statusCode() + " " + RegistryErrors.describe(response.body()), response.statusCode());
        }
        if (response.body().length > MAX_TOKEN_RESPONSE) {
            throw new RegistryException("token response from " + realm + " is too large", response.statusCode());
        }
        TokenResponse body = OciJson.read(response.body(), TokenResponse.class, "token response from " + realm);
        String value = body.token() != null && !body.token().isEmpty() ? body.token() : body.accessToken();
        if (value == null || value.isEmpty()) {
            throw new RegistryException("token response from " + realm + " carries no token", response.statusCode());
        }
        Duration lifetime = body.expiresIn() == null ? DEFAULT_LIFETIME
                : Duration.ofSeconds(Math.max(body.expiresIn(), DEFAULT_LIFETIME.toSeconds()));
        tokens.put(scope, new Token(value, clock.instant().plus(lifetime).minus(EXPIRY_MARGIN)));
        return "Bearer " + value;
    }

    private static void append(StringBuilder query, String name, String value) {
        if (query.length() > 0) {
            query.append('&');
        }
        query.append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    }
}
