package dev.randomchat.upload;

import java.time.Duration;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

import dev.randomchat.system.PositiveDuration;

/**
 * Uploads.
 *
 * @param maxUploadBytes {@code MAX_UPLOAD_BYTES}: largest file accepted
 * @param minioEndpoint {@code MINIO_ENDPOINT}: the S3-compatible store, e.g. {@code http://minio:9000};
 *        empty keeps files in {@code localDir}
 * @param minioAccessKey {@code MINIO_ACCESS_KEY}
 * @param minioSecretKey {@code MINIO_SECRET_KEY}
 * @param minioBucket {@code MINIO_BUCKET}: created private on start-up when missing
 * @param localDir {@code UPLOAD_DIR}: the folder of the embedded default
 * @param idleTimeout {@code UPLOAD_IDLE_SECONDS}: a body that sends nothing for this long is abandoned (408)
 * @param inFlight {@code UPLOADS_IN_FLIGHT}: uploads one guest may have under way at once, across
 *        all servers (429 beyond)
 * @param maxChannelFiles {@code MAX_CHANNEL_FILES}: files one channel may hold (413 beyond)
 * @param maxChannelBytes {@code MAX_CHANNEL_UPLOAD_BYTES}: bytes one channel's files may add up to (413 beyond)
 * @param spoolDir {@code UPLOAD_SPOOL_DIR}: where bodies are written while they arrive, before the
 *        store gets them whole; empty means a folder in the system's temporary folder
 */
@Validated
@ConfigurationProperties("chat.upload")
public record UploadProperties(@Min(value = 1, message = "MAX_UPLOAD_BYTES must be at least 1") long maxUploadBytes, String minioEndpoint, String minioAccessKey,
        String minioSecretKey, @NotBlank(message = "MINIO_BUCKET must not be empty") String minioBucket, @NotBlank(message = "UPLOAD_DIR must not be empty") String localDir,
        @PositiveDuration(message = "UPLOAD_IDLE_SECONDS must be positive") Duration idleTimeout,
        @Min(value = 1, message = "UPLOADS_IN_FLIGHT must be at least 1") int inFlight,
        @Min(value = 1, message = "MAX_CHANNEL_FILES must be at least 1") int maxChannelFiles,
        @Min(value = 1, message = "MAX_CHANNEL_UPLOAD_BYTES must be at least 1") long maxChannelBytes,
        String spoolDir) {

    public UploadProperties {
        minioEndpoint = minioEndpoint == null ? "" : minioEndpoint.trim();
        minioAccessKey = minioAccessKey == null ? "" : minioAccessKey;
        minioSecretKey = minioSecretKey == null ? "" : minioSecretKey;
        spoolDir = spoolDir == null ? "" : spoolDir.trim();
    }

    public boolean local() {
        return minioEndpoint.isEmpty();
    }
}
