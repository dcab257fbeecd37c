package dev.randomchat.guest;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Guest creation.
 *
 * @param powBits {@code GUEST_POW_BITS}: leading zero bits the proof of work must reach; 0 is off
 * @param creationsPerMinutePerIp {@code GUEST_CREATIONS_PER_MINUTE}: guests one client address may
 *        create per minute, across all servers
 */
@Validated
@ConfigurationProperties("chat.guest")
public record GuestProperties(@Min(0) @Max(32) int powBits, @Min(1) int creationsPerMinutePerIp) {
}
