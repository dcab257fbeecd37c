package dev.randomchat.upload;

/**
 * An upload as the API returns it and as the {@code file} message carries it.
 *
 * @param id the file id a {@code file} frame names
 * @param name the cleaned display name ({@link FileNames})
 * @param size bytes stored
 * @param contentType the sniffed type ({@link ContentSniffer}), {@code application/octet-stream} when unknown
 * @param url a same-origin signed path to fetch it without headers ({@link FileLinks})
 */
record UploadedFile(String id, String name, long size, String contentType, String url) {
}
