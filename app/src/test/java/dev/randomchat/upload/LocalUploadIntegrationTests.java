package dev.randomchat.upload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.ScratchDirs;

/** The upload API on the embedded default: files in a local folder ({@code UPLOAD_DIR}). */
class LocalUploadIntegrationTests extends UploadScenarios {

    private static Path spool;
    private static ChatServer server;

    @BeforeAll
    static void startServer() {
        spool = newSpoolDir();
        server = ChatServer.start(env(spool));
    }

    @AfterAll
    static void stopServer() {
        server.close();
        ScratchDirs.deleteTree(spool);
    }

    @Override
    Path spoolDir() {
        return spool;
    }

    @Override
    ChatServer server() {
        return server;
    }

    @Override
    List<String> storedFiles(String channelId) {
        Path dir = server.uploadDir().resolve(channelId);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString())
                    .filter(name -> !name.contains("."))
                    .toList();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
