package dev.randomchat.safety;

/**
 * Told on every server when any server bans a guest. The socket layer implements it and closes
 * the guest's sockets there (close code 4003); safety never touches a socket itself.
 */
public interface BanListener {

    /** Called on a Pub/Sub thread: must not block. */
    void guestBanned(String guestId);
}
