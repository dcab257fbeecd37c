package dev.randomchat.upload;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

/**
 * The embedded default: files in a local folder, {@code {dir}/{channelId}/{fileId}}, each with a
 * sidecar {@code {fileId}.json} holding its name, type and size. A file is written as
 * {@code {fileId}.part} and renamed when complete, so a half-written upload is never served.
 * File system calls run on {@code boundedElastic}; downloads read through an asynchronous channel.
 */
final class LocalFileStore extends BlockingFileStore {

    /** Read size for downloads: large enough for few syscalls, small enough to keep memory flat. */
    private static final int READ_CHUNK = 64 * 1024;

    private final Path root;
    private final JsonMapper json;

    LocalFileStore(Path root, JsonMapper json) {
        this.root = root.toAbsolutePath().normalize();
        this.json = json;
        try {
            Files.createDirectories(this.root);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("cannot create the upload folder " + this.root, ex);
        }
    }

    @Override
    public String describe() {
        return "local folder " + root;
    }

    @Override
    long write(String key, InputStream content, long length, FileMeta meta) {
        String[] ids = FileKeys.split(key);
        Path dir = root.resolve(ids[0]);
        Path data = dir.resolve(ids[1]);
        Path partial = dir.resolve(ids[1] + ".part");
        try {
            Files.createDirectories(dir);
            long size;
            try (OutputStream out = Files.newOutputStream(partial)) {
                size = content.transferTo(out);
            }
            Files.write(sidecar(dir, ids[1]), json.writeValueAsBytes(new Sidecar(meta.name(), meta.contentType(), size)));
            Files.move(partial, data, StandardCopyOption.ATOMIC_MOVE);
            return size;
        }
        catch (IOException | RuntimeException ex) {
            remove(key);
            throw new StorageException("cannot write " + key + " to the upload folder", ex);
        }
    }

    @Override
    StoredFile find(String key) throws IOException {
        String[] ids = FileKeys.split(key);
        Path dir = root.resolve(ids[0]);
        Path data = dir.resolve(ids[1]);
        try {
            Sidecar sidecar = json.readValue(Files.readAllBytes(sidecar(dir, ids[1])), Sidecar.class);
            long size = Files.size(data);
            return new StoredFile(new FileMeta(sidecar.name(), sidecar.contentType()), size,
                    DataBufferUtils.read(data, DefaultDataBufferFactory.sharedInstance, READ_CHUNK));
        }
        catch (NoSuchFileException ex) {
            return null;
        }
    }

    @Override
    void remove(String key) {
        String[] ids = FileKeys.split(key);
        Path dir = root.resolve(ids[0]);
        try {
            Files.deleteIfExists(dir.resolve(ids[1]));
            Files.deleteIfExists(dir.resolve(ids[1] + ".part"));
            Files.deleteIfExists(sidecar(dir, ids[1]));
        }
        catch (IOException ex) {
            throw new StorageException("cannot delete " + key + " from the upload folder", ex);
        }
    }

    @Override
    void removeChannel(String channelId) {
        if (!FileKeys.validId(channelId)) {
            throw new IllegalArgumentException("not a server-made id");
        }
        Path dir = root.resolve(channelId);
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
        catch (NoSuchFileException ex) {
            // another server or the sweep removed it first
        }
        catch (IOException ex) {
            throw new StorageException("cannot delete the files of channel " + channelId, ex);
        }
    }

    @Override
    List<String> listChannels() throws IOException {
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(Files::isDirectory)
                    .map(dir -> dir.getFileName().toString())
                    .filter(FileKeys::validId)
                    .toList();
        }
    }

    private static Path sidecar(Path dir, String fileId) {
        return dir.resolve(fileId + ".json");
    }

    /** The metadata file beside each stored file. */
    record Sidecar(String name, String contentType, long size) {
    }
}
