package dev.randomchat.auth;

import java.time.Instant;

/** A freshly signed token and the moment it stops working. */
public record IssuedToken(String token, Instant expiresAt) {
}
