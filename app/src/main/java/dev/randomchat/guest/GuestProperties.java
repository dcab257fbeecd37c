package dev.randomchat.guest;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Guest creation.
 *
 * @param powBits {@code GUEST_POW_BITS}: leading zero bits the proof of work must reach; 0 is off
 * @param creationsPerMinutePerIp {@code GUEST_CREATIONS_PER_MINUTE}: guests one client address (an
 *        IPv6 client by its /64) may create per minute, across all servers; also the challenges
 *        it may fetch per minute (429 beyond)
 */
@Validated
@ConfigurationProperties("chat.guest")
public record GuestProperties(@Min(value = 0, message = "GUEST_POW_BITS must be 0 to 32") @Max(value = 32, message = "GUEST_POW_BITS must be 0 to 32") int powBits, @Min(value = 1, message = "GUEST_CREATIONS_PER_MINUTE must be at least 1") int creationsPerMinutePerIp) {
}
