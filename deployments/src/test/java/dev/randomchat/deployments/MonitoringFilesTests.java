package dev.randomchat.deployments;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * deployments/monitoring: Prometheus configuration and alert rules that promtool accepts, a
 * Grafana dashboard wired to the provisioned data source, and the Compose `monitoring` profile.
 * (That the server exports every metric these files name is checked in the app module, by
 * MonitoringMetricsIntegrationTests against a running server.)
 */
class MonitoringFilesTests {

    static final String PROMETHEUS_DIR = "deployments/monitoring/prometheus";
    static final String DASHBOARD = "deployments/monitoring/grafana/dashboards/random-chat.json";
    private static final Duration PROMTOOL_TIMEOUT = Duration.ofSeconds(60);

    @Test
    void alertRulesPassPromtool() throws Exception {
        ExternalCommand.Result result = promtool("check", "rules", "alerts.yml");

        assertThat(result.exitCode()).as("promtool check rules: %s%s", result.stdout(), result.stderr()).isZero();
        assertThat(result.stdout()).contains("SUCCESS");
    }

    @Test
    void composeScrapeConfigurationPassesPromtool() throws Exception {
        ExternalCommand.Result result = promtool("check", "config", "prometheus.yml");

        assertThat(result.exitCode()).as("promtool check config: %s%s", result.stdout(), result.stderr()).isZero();
        assertThat(result.stdout()).contains("SUCCESS");
    }

    @Test
    void everyScrapeJobReadsTheManagementPortUnderTheJobNameTheRulesUse() {
        for (String file : List.of("prometheus.yml", "kubernetes-scrape.yml")) {
            Map<Object, Object> config = RepositoryFiles.yamlMap(PROMETHEUS_DIR + "/" + file);
            Map<?, ?> job = scrapeJob(config, "random-chat");
            assertThat(job.get("metrics_path")).as(file).isEqualTo("/actuator/prometheus");
            assertThat(config.get("rule_files")).as(file).isEqualTo(List.of("alerts.yml"));
        }
        Map<?, ?> compose = scrapeJob(RepositoryFiles.yamlMap(PROMETHEUS_DIR + "/prometheus.yml"), "random-chat");
        Map<?, ?> dns = (Map<?, ?>) ((List<?>) compose.get("dns_sd_configs")).get(0);
        assertThat(dns.get("names")).isEqualTo(List.of("chat"));
        assertThat(dns.get("port")).as("MANAGEMENT_PORT in Compose").isEqualTo(9090);
        assertThat(RepositoryFiles.read(PROMETHEUS_DIR + "/alerts.yml")).contains("job=\"random-chat\"");
        assertThat(RepositoryFiles.read("deployments/k8s/monitoring/podmonitor.yaml"))
                .contains("port: management").contains("replacement: random-chat");
    }

    @Test
    void dashboardPanelsQueryTheProvisionedDataSource() {
        String dashboard = RepositoryFiles.read(DASHBOARD);
        Map<Object, Object> datasources = RepositoryFiles.yamlMap("deployments/monitoring/grafana/provisioning/datasources/prometheus.yaml");
        Map<?, ?> source = (Map<?, ?>) ((List<?>) datasources.get("datasources")).get(0);

        List<String> uids = JsonPath.read(dashboard, "$.panels[?(@.type != 'row')].targets[*].datasource.uid");
        List<String> expressions = JsonPath.read(dashboard, "$.panels[*].targets[*].expr");
        assertThat(uids).isNotEmpty().containsOnly(source.get("uid").toString());
        assertThat(source.get("url")).isEqualTo("http://prometheus:9090");
        assertThat(expressions).hasSizeGreaterThan(15).allMatch(expr -> expr.contains("job=\"random-chat\""));
        assertThat(String.join("\n", expressions)).contains("chat_sockets_open", "chat_waiting",
                "chat_match_time_seconds_bucket", "chat_messages_relayed_total", "chat_messages_replayed_total",
                "chat_upgrades_rejected_total", "chat_frames_rejected_total", "chat_sockets_slow_closed_total",
                "chat_redis_reconnects_total", "chat_uploads_total", "jvm_memory_used_bytes", "jvm_gc_pause_seconds_count");
    }

    @Test
    @SuppressWarnings("unchecked")
    void composeMonitoringProfileRunsPrometheusAndGrafanaOnLoopbackWithOverridableImages() {
        Map<Object, Object> services = (Map<Object, Object>) RepositoryFiles.yamlMap(ComposeFileTests.COMPOSE_FILE).get("services");
        Map<?, ?> prometheus = (Map<?, ?>) services.get("prometheus");
        Map<?, ?> grafana = (Map<?, ?>) services.get("grafana");

        assertThat(prometheus.get("profiles")).isEqualTo(List.of("monitoring"));
        assertThat(grafana.get("profiles")).isEqualTo(List.of("monitoring"));
        assertThat(prometheus.get("image").toString()).startsWith("${PROMETHEUS_IMAGE:-prom/prometheus:");
        assertThat(grafana.get("image").toString()).startsWith("${GRAFANA_IMAGE:-grafana/grafana:");
        assertThat((List<String>) prometheus.get("ports")).allMatch(port -> port.startsWith("127.0.0.1:"));
        assertThat((List<String>) grafana.get("ports")).allMatch(port -> port.startsWith("127.0.0.1:"));
        assertThat((List<String>) prometheus.get("volumes"))
                .contains("./monitoring/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro",
                        "./monitoring/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro");
        assertThat((List<String>) grafana.get("volumes"))
                .contains("./monitoring/grafana/provisioning:/etc/grafana/provisioning:ro",
                        "./monitoring/grafana/dashboards:/var/lib/grafana/dashboards:ro");
        Map<Object, Object> provider = RepositoryFiles.yamlMap("deployments/monitoring/grafana/provisioning/dashboards/random-chat.yaml");
        Map<?, ?> options = (Map<?, ?>) ((Map<?, ?>) ((List<?>) provider.get("providers")).get(0)).get("options");
        assertThat(options.get("path")).isEqualTo("/var/lib/grafana/dashboards");
        for (Object name : services.keySet()) {
            if (!List.of("prometheus", "grafana").contains(name)) {
                assertThat(((Map<?, ?>) services.get(name)).get("profiles")).as("%s runs without a profile", name).isNull();
            }
        }
    }

    private static Map<?, ?> scrapeJob(Map<Object, Object> config, String name) {
        return ((List<?>) config.get("scrape_configs")).stream()
                .map(Map.class::cast)
                .filter(job -> name.equals(job.get("job_name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no scrape job " + name));
    }

    /**
     * Runs promtool (Debian's `prometheus` package) in the Prometheus folder, so relative
     * rule_files resolve as they do in the container. Debian's build has no Kubernetes service
     * discovery, so kubernetes-scrape.yml is read as YAML above instead of checked here.
     */
    private static ExternalCommand.Result promtool(String... arguments) throws Exception {
        Optional<Path> promtool = ExternalCommand.onPath("promtool");
        assumeTrue(promtool.isPresent(),
                "promtool is not installed, so the Prometheus files were not checked (apt-get install prometheus)");
        List<String> command = new java.util.ArrayList<>(List.of(promtool.get().toString()));
        command.addAll(List.of(arguments));
        return ExternalCommand.run(command, RepositoryFiles.path(PROMETHEUS_DIR), Map.of(), List.of(), PROMTOOL_TIMEOUT);
    }
}
