package dev.randomchat.system;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.server.autoconfigure.ServerProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.web.reactive.config.ResourceHandlerRegistry;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

@Configuration(proxyBeanMethods = false)
class WebConfiguration implements WebFluxConfigurer {

    static {
        // Reactor Netty 1.3.7 can leave the next request on a kept-alive connection unanswered
        // (reactor/reactor-netty#4361); this switch makes it flush when no read is pending.
        // Read once, when Reactor Netty's HTTP handler class loads, so it is set here, early.
        System.setProperty("reactor.netty.http.server.lastFlushWhenNoRead", "true");
    }

    /** Versioned files never change under their URL: browsers and proxies may keep them a year. */
    private static final CacheControl IMMUTABLE = CacheControl.maxAge(Duration.ofDays(365)).cachePublic().immutable();

    private final StaticAssets assets = StaticAssets.load();

    @Bean
    ForwardedHeadersFilter forwardedHeadersFilter(HttpProperties http) {
        return new ForwardedHeadersFilter(Cidr.parseAll(http.trustedProxies()));
    }

    @Bean
    SecurityHeadersFilter securityHeadersFilter() {
        return new SecurityHeadersFilter();
    }

    @Bean
    StrictJsonTypes strictJsonTypes() {
        return new StrictJsonTypes();
    }

    /** Applied by Spring Boot to the public port's server; {@link ManagementServer} applies its own. */
    @Bean
    HttpServerSettings httpServerSettings(HttpProperties http) {
        return new HttpServerSettings(http.idleTimeout());
    }

    @Bean
    ManagementServer managementServer(HttpProperties http, ServerProperties server, ObjectProvider<HttpHandler> handler,
            ReactorResourceFactory resources, ConfigurableEnvironment environment) {
        return new ManagementServer(http, server, handler, resources, environment);
    }

    @Bean
    ManagementPortFilter managementPortFilter(ManagementServer management) {
        return new ManagementPortFilter(management);
    }

    /**
     * The page itself, with references to the versioned files. It revalidates on every visit
     * (no-cache with an ETag, so an unchanged page costs a 304), which is how a new version
     * reaches returning visitors.
     */
    @Bean
    RouterFunction<ServerResponse> indexPage() {
        String html = assets.indexHtml();
        if (html == null) {
            return RouterFunctions.route(RequestPredicates.path("/__no_page__"), request -> ServerResponse.notFound().build());
        }
        String etag = "\"" + assets.version() + "\"";
        Mono<ServerResponse> page = Mono.defer(() -> ServerResponse.ok()
                .contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
                .cacheControl(CacheControl.noCache())
                .eTag(etag)
                .bodyValue(html));
        return RouterFunctions.route(
                RequestPredicates.GET("/").or(RequestPredicates.GET("/index.html")),
                request -> request.checkNotModified(etag)
                        .switchIfEmpty(page));
    }

    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        // The same files under /v/<content hash>/: what index.html links to. Unversioned URLs
        // (/app.css, /js/app.js) stay served by Boot's handler and revalidate (application.yaml).
        registry.addResourceHandler("/v/" + assets.version() + "/**")
                .addResourceLocations(StaticAssets.LOCATION)
                .setCacheControl(IMMUTABLE);
    }
}
