package dev.randomchat.safety;

import java.net.URI;

import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;

/**
 * The operator console, {@code /admin/}: static files from the web module's {@code admin/} folder
 * (never under {@code static/}, so the visitor page's resource handling cannot serve them). Only
 * when ADMIN_TOKEN is set; the page itself holds no secret, the API it calls checks the token.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("!'${chat.safety.admin-token:}'.isBlank()")
class ConsolePage {

    static final String PATH = "/admin/";

    @Bean
    RouterFunction<ServerResponse> consoleRoutes() {
        Resource index = new ClassPathResource("admin/index.html");
        return RouterFunctions.route(GET("/admin"),
                        request -> ServerResponse.permanentRedirect(URI.create(PATH)).build())
                .andRoute(GET(PATH), request -> ServerResponse.ok()
                        .contentType(MediaType.TEXT_HTML)
                        .cacheControl(CacheControl.noCache())
                        .bodyValue(index))
                .and(RouterFunctions.resources(PATH + "**", new ClassPathResource("admin/")));
    }
}
