package dev.randomchat.system;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * HTTPS without a proxy: when {@code TLS_CERT_FILE} and {@code TLS_KEY_FILE} (PEM) are set, the
 * server listens with TLS through a Spring Boot SSL bundle named {@code server}; without them
 * nothing changes. One without the other, or a file that is not there, stops the start-up.
 */
class TlsEnvironment implements EnvironmentPostProcessor {

    static final String CERT = "TLS_CERT_FILE";
    static final String KEY = "TLS_KEY_FILE";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String cert = environment.getProperty(CERT, "").trim();
        String key = environment.getProperty(KEY, "").trim();
        if (cert.isEmpty() && key.isEmpty()) {
            return;
        }
        if (cert.isEmpty() || key.isEmpty()) {
            throw new IllegalStateException("Set both " + CERT + " and " + KEY + " (PEM files) to serve HTTPS, or neither");
        }
        for (String file : new String[] {cert, key}) {
            if (!Files.isReadable(Path.of(file))) {
                throw new IllegalStateException("Cannot read " + file + " given in " + (file.equals(cert) ? CERT : KEY));
            }
        }
        Map<String, Object> tls = new LinkedHashMap<>();
        tls.put("spring.ssl.bundle.pem.server.keystore.certificate", "file:" + cert);
        tls.put("spring.ssl.bundle.pem.server.keystore.private-key", "file:" + key);
        tls.put("server.ssl.bundle", "server");
        environment.getPropertySources().addFirst(new MapPropertySource("tls", tls));
    }
}
