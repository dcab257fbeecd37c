package dev.randomchat.system;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The page's files under {@code classpath:/static/}, versioned by content: one hash over every
 * file names the build, files are also served under {@code /v/<hash>/...} (cached for a year),
 * and {@code index.html} is served with its file references pointing there. A changed file
 * changes the hash, so a browser never mixes an old module with a new page; relative
 * {@code import}s inside the modules stay under the same prefix by themselves.
 */
final class StaticAssets {

    static final String LOCATION = "classpath:/static/";

    /** src/href values that name one of the page's own files (not "./", not absolute, not a scheme). */
    private static final Pattern FILE_REFERENCE =
            Pattern.compile("(\\s(?:src|href)=\")([A-Za-z0-9_][A-Za-z0-9_./-]*\\.(?:css|js|svg|png|ico|webmanifest))\"");

    private final String version;
    private final String indexHtml;

    private StaticAssets(String version, String indexHtml) {
        this.version = version;
        this.indexHtml = indexHtml;
    }

    static StaticAssets load() {
        try {
            Resource[] files = new PathMatchingResourcePatternResolver().getResources(LOCATION + "**/*.*");
            Arrays.sort(files, Comparator.comparing(StaticAssets::pathOf));
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            String index = null;
            for (Resource file : files) {
                byte[] bytes;
                try (InputStream in = file.getInputStream()) {
                    bytes = in.readAllBytes();
                }
                digest.update(pathOf(file).getBytes(StandardCharsets.UTF_8));
                digest.update(bytes);
                if (pathOf(file).endsWith("/static/index.html")) {
                    index = new String(bytes, StandardCharsets.UTF_8);
                }
            }
            String version = HexFormat.of().formatHex(digest.digest(), 0, 6);
            return new StaticAssets(version, index == null ? null : versioned(index, version));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the page's files", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pathOf(Resource resource) {
        try {
            return resource.getURL().toString();
        } catch (IOException e) {
            return String.valueOf(resource.getFilename());
        }
    }

    /** {@code href="app.css"} becomes {@code href="/v/<version>/app.css"}. */
    static String versioned(String html, String version) {
        Matcher matcher = FILE_REFERENCE.matcher(html);
        return matcher.replaceAll(match -> Matcher.quoteReplacement(
                match.group(1) + "/v/" + version + "/" + match.group(2) + "\""));
    }

    /** A short hex hash of every file's path and content. */
    String version() {
        return version;
    }

    /** index.html with versioned references, or null when the page is not on the classpath. */
    String indexHtml() {
        return indexHtml;
    }
}
