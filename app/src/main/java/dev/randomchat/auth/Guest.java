package dev.randomchat.auth;

/** An anonymous visitor, as its signed guest token names it. */
public record Guest(String id, String name) {
}
