package dev.randomchat.guest;

import org.springframework.boot.context.properties.ConfigurationProperties;

import dev.randomchat.system.Configured;

/**
 * Guest creation.
 *
 * @param powBits {@code GUEST_POW_BITS}: leading zero bits the proof of work must reach; 0 is off
 * @param creationsPerMinutePerIp {@code GUEST_CREATIONS_PER_MINUTE}: guests one client address (an
 *        IPv6 client by its /64) may create per minute, across all servers; also the challenges
 *        it may fetch per minute (429 beyond)
 */
@ConfigurationProperties("chat.guest")
public record GuestProperties(int powBits, int creationsPerMinutePerIp) {

    public GuestProperties {
        Configured.within(powBits, 0, 32, "GUEST_POW_BITS");
        Configured.atLeast(creationsPerMinutePerIp, 1, "GUEST_CREATIONS_PER_MINUTE");
    }
}
