package dev.randomchat.system;

import java.net.URI;

import io.lettuce.core.RedisException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** Every HTTP error is an {@code application/problem+json} body, from this one place. */
@RestControllerAdvice
public class ProblemAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);
    private static final URI BLANK = URI.create("about:blank");

    @ExceptionHandler
    ResponseEntity<ProblemDetail> handle(ApiException ex) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(ex.status(), ex.getMessage());
        problem.setTitle(ex.title());
        problem.setType(typeOf(ex.status().value()));
        return ResponseEntity.status(ex.status()).body(problem);
    }

    /** Framework errors (malformed JSON, wrong media type, ...) get a type too. */
    @Override
    protected Mono<ResponseEntity<Object>> createResponseEntity(Object body, HttpHeaders headers,
            HttpStatusCode status, ServerWebExchange exchange) {
        if (body instanceof ProblemDetail problem && (problem.getType() == null || BLANK.equals(problem.getType()))) {
            problem.setType(typeOf(status.value()));
        }
        return super.createResponseEntity(body, headers, status, exchange);
    }

    /** A problem type naming the status, e.g. {@code urn:random-chat:problem:413}. */
    public static URI typeOf(int status) {
        return URI.create("urn:random-chat:problem:" + status);
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> handle(RedisException ex) {
        log.warn("Redis unavailable while serving a request: {}", ex.getClass().getSimpleName());
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                "The service is briefly unavailable; try again.");
        problem.setTitle("Service unavailable");
        problem.setType(typeOf(503));
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(problem);
    }
}
