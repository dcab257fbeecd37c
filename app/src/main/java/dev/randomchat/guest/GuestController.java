package dev.randomchat.guest;

import java.net.URI;
import java.time.Instant;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.randomchat.auth.Guest;
import dev.randomchat.auth.GuestAuth;
import dev.randomchat.auth.IssuedToken;
import dev.randomchat.auth.TokenService;
import dev.randomchat.system.ApiException;
import dev.randomchat.system.RandomIds;

@RestController
@RequestMapping("/api/guests")
class GuestController {

    private final TokenService tokens;
    private final GuestAuth auth;
    private final GuestGate gate;

    GuestController(TokenService tokens, GuestAuth auth, GuestGate gate) {
        this.tokens = tokens;
        this.auth = auth;
        this.gate = gate;
    }

    @PostMapping
    Mono<ResponseEntity<CreatedGuest>> create(@RequestBody(required = false) NewGuest body, ServerHttpRequest request) {
        if (body == null) {
            throw ApiException.badRequest("a JSON body with a name is required");
        }
        GuestNames.problem(body.name()).ifPresent(problem -> {
            throw ApiException.badRequest(problem);
        });
        return gate.admit(body.challenge(), body.nonce(), request)
                .then(Mono.fromSupplier(() -> created(body.name().strip(), request)));
    }

    @GetMapping("/challenge")
    Mono<GuestGate.Challenge> challenge(ServerHttpRequest request) {
        return gate.challenge(request);
    }

    @GetMapping("/me")
    Me me(ServerHttpRequest request) {
        Guest guest = auth.guest(request)
                .orElseThrow(() -> ApiException.unauthorized("a valid guest token is required"));
        return new Me(guest.id(), guest.name());
    }

    private ResponseEntity<CreatedGuest> created(String name, ServerHttpRequest request) {
        Guest guest = new Guest(RandomIds.next(), name);
        IssuedToken token = tokens.issueGuest(guest);
        ResponseCookie cookie = ResponseCookie.from(GuestAuth.COOKIE, token.token())
                .httpOnly(true)
                .sameSite("Lax")
                .path("/")
                .secure(isHttps(request))
                .maxAge(tokens.ttl())
                .build();
        return ResponseEntity.created(URI.create("/api/guests/me"))
                .header(HttpHeaders.SET_COOKIE, cookie.toString())
                .body(new CreatedGuest(guest.id(), guest.name(), token.token(), token.expiresAt()));
    }

    private static boolean isHttps(ServerHttpRequest request) {
        String scheme = request.getURI().getScheme();
        return "https".equalsIgnoreCase(scheme) || "wss".equalsIgnoreCase(scheme);
    }

    record NewGuest(String name, String challenge, String nonce) {
    }

    record CreatedGuest(String id, String name, String token, Instant expiresAt) {
    }

    record Me(String id, String name) {
    }
}
