package dev.randomchat.upload;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

import dev.randomchat.system.Configured;

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
@ConfigurationProperties("chat.upload")
public record UploadProperties(long maxUploadBytes, String minioEndpoint, String minioAccessKey, String minioSecretKey,
        String minioBucket, String localDir, Duration idleTimeout, int inFlight, int maxChannelFiles,
        long maxChannelBytes, String spoolDir) {

    public UploadProperties {
        minioEndpoint = minioEndpoint == null ? "" : minioEndpoint.trim();
        minioAccessKey = minioAccessKey == null ? "" : minioAccessKey;
        minioSecretKey = minioSecretKey == null ? "" : minioSecretKey;
        spoolDir = spoolDir == null ? "" : spoolDir.trim();
        Configured.atLeast(maxUploadBytes, 1, "MAX_UPLOAD_BYTES");
        Configured.notBlank(minioBucket, "MINIO_BUCKET");
        Configured.notBlank(localDir, "UPLOAD_DIR");
        Configured.positive(idleTimeout, "UPLOAD_IDLE_SECONDS");
        Configured.atLeast(inFlight, 1, "UPLOADS_IN_FLIGHT");
        Configured.atLeast(maxChannelFiles, 1, "MAX_CHANNEL_FILES");
        Configured.atLeast(maxChannelBytes, 1, "MAX_CHANNEL_UPLOAD_BYTES");
    }

    public boolean local() {
        return minioEndpoint.isEmpty();
    }
}
