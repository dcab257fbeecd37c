package dev.randomchat.auth;

import java.util.Optional;

import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.util.MultiValueMap;

/** Finds the guest of a request: the {@code rc_guest} cookie, or {@code Authorization: Bearer}. */
@Component
public class GuestAuth {

    public static final String COOKIE = "rc_guest";
    private static final String BEARER = "Bearer ";

    private final TokenService tokens;

    GuestAuth(TokenService tokens) {
        this.tokens = tokens;
    }

    public Optional<Guest> guest(ServerHttpRequest request) {
        return guest(request.getHeaders(), request.getCookies());
    }

    public Optional<Guest> guest(HttpHeaders headers, MultiValueMap<String, HttpCookie> cookies) {
        Optional<Guest> fromHeader = bearer(headers).flatMap(tokens::verifyGuest);
        if (fromHeader.isPresent()) {
            return fromHeader;
        }
        HttpCookie cookie = cookies.getFirst(COOKIE);
        return cookie == null ? Optional.empty() : tokens.verifyGuest(cookie.getValue());
    }

    /** The guest of a bearer header or, without a valid one, of the {@code rc_guest} cookie's value. */
    public Optional<Guest> guest(HttpHeaders headers, Optional<String> cookie) {
        Optional<Guest> fromHeader = bearer(headers).flatMap(tokens::verifyGuest);
        return fromHeader.isPresent() ? fromHeader : cookie.flatMap(tokens::verifyGuest);
    }

    /** The bearer token of a request, if it carries one. */
    public static Optional<String> bearer(ServerHttpRequest request) {
        return bearer(request.getHeaders());
    }

    static Optional<String> bearer(HttpHeaders headers) {
        String header = headers.getFirst(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.empty();
        }
        return Optional.of(header.substring(BEARER.length()).trim());
    }
}
