package dev.randomchat.upload;

import java.time.Duration;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Reported files for operators: {@code GET /api/admin/files/{channelId}/{fileId}?exp&sig}, the
 * same bytes and headers as {@code /files/...}, under the admin path so the console (served where
 * the admin API is, and only there) can show them as {@code <img src>} from its own origin. The
 * admin API hands out these links, signed and short-lived, only to a caller with the admin token;
 * an image request cannot carry that token, so the signature is the check here.
 */
@RestController
@ConditionalOnExpression("!'${chat.safety.admin-token:}'.isBlank()")
public class EvidenceFiles {

    static final String PATH = "/api/admin/files/";
    /** Long enough to read a report, short enough that a copied link soon stops working. */
    static final Duration LINK_TTL = Duration.ofMinutes(30);

    private final FileLinks links;
    private final DownloadController downloads;

    EvidenceFiles(FileLinks links, DownloadController downloads) {
        this.links = links;
        this.downloads = downloads;
    }

    /** A signed link to a channel's file for the console. */
    public String link(String channelId, String fileId) {
        return links.create(PATH, channelId, fileId, LINK_TTL);
    }

    @GetMapping(PATH + "{channelId}/{fileId}")
    Mono<ResponseEntity<Flux<DataBuffer>>> file(@PathVariable String channelId, @PathVariable String fileId,
            @RequestParam(required = false) String exp, @RequestParam(required = false) String sig) {
        return downloads.download(channelId, fileId, exp, sig);
    }
}
