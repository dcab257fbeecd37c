package dev.randomchat.deployments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1HTTPGetAction;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressRule;
import io.kubernetes.client.openapi.models.V1IngressServiceBackend;
import io.kubernetes.client.openapi.models.V1IngressTLS;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import org.junit.jupiter.api.Test;

import dev.randomchat.deployments.KubernetesManifests.Manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * deployments/k8s: every document matches the Kubernetes schema (offline), the references
 * between them resolve, and the chat servers drain with 1012 only after leaving the Service.
 */
class KubernetesManifestsTests {

    static final String NAMESPACE = "random-chat";

    /** docs/protocol.md 2.4: the server pings every 25 s. */
    private static final int PING_SECONDS = 25;

    /** Spring's default timeout-per-shutdown-phase, used when application.yaml says nothing. */
    private static final Duration DEFAULT_SHUTDOWN_PHASE = Duration.ofSeconds(30);

    /** Time for the kubelet to send SIGTERM after preStop, and for the JVM to exit, beyond the phases. */
    private static final Duration SHUTDOWN_MARGIN = Duration.ofSeconds(5);

    private static final Pattern SHUTDOWN_PHASE = Pattern.compile(
            "timeout-per-shutdown-phase:\\s*\\$\\{SHUTDOWN_TIMEOUT_SECONDS:(\\d+)}s");

    private final Map<Object, Object> kustomization = RepositoryFiles.yamlMap("deployments/k8s/kustomization.yaml");

    private final List<Manifest> manifests = KubernetesManifests.load(resources());

    @Test
    void listsEveryManifestOfTheDirectoryInTheKustomization() throws IOException {
        List<String> files;
        try (Stream<Path> listing = Files.list(KubernetesManifests.DIRECTORY)) {
            files = listing.map((file) -> file.getFileName().toString())
                    .filter((name) -> name.endsWith(".yaml") || name.endsWith(".yml"))
                    .filter((name) -> !name.equals("kustomization.yaml"))
                    .toList();
        }

        assertThat(resources()).containsExactlyInAnyOrderElementsOf(files);
        assertThat(kustomization).containsEntry("apiVersion", "kustomize.config.k8s.io/v1beta1")
                .containsEntry("kind", "Kustomization")
                .containsEntry("namespace", NAMESPACE);
        assertThat(kustomization.keySet()).allMatch((key) -> List.of("apiVersion", "kind", "namespace", "resources",
                "images", "labels", "commonAnnotations", "patches", "configMapGenerator", "secretGenerator")
                .contains(key));
    }

    @Test
    void everyDocumentMatchesTheKubernetesSchema() {
        assertThat(manifests).extracting(Manifest::kind).contains("Namespace", "ConfigMap", "Secret", "Deployment",
                "Service", "Ingress", "HorizontalPodAutoscaler", "PodDisruptionBudget", "StatefulSet");
        for (Manifest manifest : manifests) {
            assertThat(manifest.name()).as(manifest.file()).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
            if (!manifest.kind().equals("Namespace")) {
                assertThat(manifest.model().getMetadata().getNamespace()).as(manifest.file()).isEqualTo(NAMESPACE);
            }
        }
    }

    @Test
    void schemaValidationRejectsUnknownAndMissingFields() {
        Map<String, Object> typo = Map.of("apiVersion", "v1", "kind", "Service",
                "metadata", Map.of("name", "x"), "spec", Map.of("selectr", Map.of("a", "b")));
        Map<String, Object> missingContainerName = Map.of("apiVersion", "apps/v1", "kind", "Deployment",
                "metadata", Map.of("name", "x"), "spec", Map.of("selector", Map.of(), "template",
                        Map.of("spec", Map.of("containers", List.of(Map.of("image", "x"))))));
        Map<String, Object> numberValue = Map.of("apiVersion", "v1", "kind", "ConfigMap",
                "metadata", Map.of("name", "x"), "data", Map.of("PORT", 8080));

        assertThatIllegalArgumentException().isThrownBy(() -> KubernetesManifests.validate("typo", typo))
                .withMessageContaining("`selectr`");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> KubernetesManifests.validate("missing", missingContainerName))
                .withMessageContaining("required field `name`");
        assertThatIllegalArgumentException().isThrownBy(() -> KubernetesManifests.validate("number", numberValue))
                .withMessageContaining("PORT");
    }

    @Test
    void runsAtLeastTwoChatServersFromTheImageTheKustomizationSets() {
        V1Deployment deployment = chatDeployment();
        V1Container chat = chatContainer();
        Map<?, ?> image = (Map<?, ?>) ((List<?>) kustomization.get("images")).get(0);

        assertThat(deployment.getSpec().getReplicas()).isGreaterThanOrEqualTo(2);
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable())
                .as("a new server is ready before an old one drains").isEqualTo(new IntOrString(0));
        assertThat(image.get("name")).isEqualTo(chat.getImage());
        assertThat(image.get("newName").toString()).contains("/");
        assertThat(image.get("newTag").toString()).as("a pinned release, not a moving tag")
                .matches("v\\d+\\.\\d+\\.\\d+");
    }

    @Test
    void probesTheActuatorHealthGroupsOnTheHttpPort() {
        V1Container chat = chatContainer();

        assertThat(httpGet(chat.getReadinessProbe()).getPath()).isEqualTo("/actuator/health/readiness");
        assertThat(httpGet(chat.getLivenessProbe()).getPath()).isEqualTo("/actuator/health/liveness");
        assertThat(httpGet(chat.getStartupProbe()).getPath()).isEqualTo("/actuator/health/liveness");
        for (V1Probe probe : List.of(chat.getReadinessProbe(), chat.getLivenessProbe(), chat.getStartupProbe())) {
            assertThat(port(chat, httpGet(probe).getPort())).isEqualTo(8080);
        }
        assertThat(configMap().getData()).containsEntry("HTTP_PORT", "8080");
    }

    @Test
    void drainsSocketsOnlyAfterThePodLeftTheServiceAndBeforeItIsKilled() {
        V1PodSpec pod = chatDeployment().getSpec().getTemplate().getSpec();
        List<String> preStop = chatContainer().getLifecycle().getPreStop().getExec().getCommand();
        V1Probe readiness = chatContainer().getReadinessProbe();
        long drainSeconds = Long.parseLong(configMap().getData().get("SHUTDOWN_DRAIN_SECONDS"));

        assertThat(preStop).hasSize(2).first().isEqualTo("sleep");
        long preStopSeconds = Long.parseLong(preStop.get(1));
        assertThat(preStopSeconds).as("time for the endpoint removal to reach the ingress").isGreaterThanOrEqualTo(5);
        assertThat((long) readiness.getPeriodSeconds() * readiness.getFailureThreshold())
                .as("readiness must be seen failing within the drain delay").isLessThanOrEqualTo(drainSeconds);
        Duration needed = Duration.ofSeconds(preStopSeconds + drainSeconds).plus(shutdownPhase()).plus(SHUTDOWN_MARGIN);
        assertThat(Duration.ofSeconds(pod.getTerminationGracePeriodSeconds())).isGreaterThanOrEqualTo(needed);
    }

    @Test
    void limitsResourcesAndRunsNonRootOnAReadOnlyRootFilesystem() {
        V1Container chat = chatContainer();
        V1PodSpec pod = chatDeployment().getSpec().getTemplate().getSpec();

        assertThat(chat.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(chat.getResources().getLimits()).containsKey("memory");
        assertThat(chat.getResources().getLimits().get("memory").getNumber())
                .isGreaterThanOrEqualTo(chat.getResources().getRequests().get("memory").getNumber());
        assertThat(pod.getSecurityContext().getRunAsUser()).as("the image's uid").isEqualTo(DockerfileTests.IMAGE_UID);
        assertThat(chat.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        String tmpVolume = chat.getVolumeMounts().stream()
                .filter((mount) -> mount.getMountPath().equals("/tmp"))
                .findFirst()
                .orElseThrow()
                .getName();
        V1Volume volume = pod.getVolumes().stream().filter((v) -> v.getName().equals(tmpVolume)).findFirst().orElseThrow();
        assertThat(volume.getEmptyDir()).isNotNull();
    }

    @Test
    void everyPodMeetsTheRestrictedPodSecurityStandard() {
        assertThat(one("Namespace", NAMESPACE).model().getMetadata().getLabels())
                .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
        // Jobs run to completion: probes are for what keeps running.
        List<String> oneShot = manifests.stream().filter((manifest) -> manifest.kind().equals("Job"))
                .map(Manifest::name).toList();
        for (Map.Entry<String, V1PodTemplateSpec> template : podTemplates().entrySet()) {
            V1PodSpec pod = template.getValue().getSpec();
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(template.getKey()).isTrue();
            assertThat(pod.getSecurityContext().getRunAsUser()).as(template.getKey()).isPositive();
            assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
            assertThat(pod.getAutomountServiceAccountToken()).as(template.getKey()).isFalse();
            for (V1Container container : pod.getContainers()) {
                assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
                assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
                assertThat(container.getImage()).as("pinned image of %s", template.getKey()).doesNotEndWith(":latest");
                assertThat(container.getResources().getRequests()).as(template.getKey()).containsKeys("cpu", "memory");
                if (!oneShot.contains(template.getKey())) {
                    assertThat(container.getReadinessProbe()).as(template.getKey()).isNotNull();
                    assertThat(container.getLivenessProbe()).as(template.getKey()).isNotNull();
                }
            }
        }
    }

    @Test
    void takesSettingsFromTheConfigMapAndSecretsFromTheSecret() {
        V1Container chat = chatContainer();
        Map<String, String> settings = configMap().getData();
        V1Secret secret = (V1Secret) one("Secret", "random-chat-secrets").model();

        assertThat(chat.getEnvFrom()).extracting((source) -> source.getConfigMapRef().getName())
                .containsExactly(configMap().getMetadata().getName());
        assertThat(settings.get("REDIS_ADDRS")).as("empty would start an embedded Redis per pod")
                .isEqualTo("redis-0." + headlessServiceOf("redis") + ":6379");
        assertThat(settings.get("MINIO_ENDPOINT")).isEqualTo("http://" + headlessServiceOf("minio") + ":9000");
        assertThat(Integer.parseInt(settings.get("GUEST_POW_BITS"))).isPositive();
        assertThat(envNames(chat)).contains("JWT_SECRET", "REDIS_PASSWORD", "MINIO_ACCESS_KEY", "MINIO_SECRET_KEY",
                "ADMIN_TOKEN");
        assertThat(settings.keySet()).doesNotContain("JWT_SECRET", "REDIS_PASSWORD", "MINIO_ACCESS_KEY",
                "MINIO_SECRET_KEY", "ADMIN_TOKEN");
        for (Map.Entry<String, V1PodTemplateSpec> template : podTemplates().entrySet()) {
            for (V1Container container : template.getValue().getSpec().getContainers()) {
                for (V1EnvVar variable : Optional.ofNullable(container.getEnv()).orElse(List.of())) {
                    if (variable.getValueFrom() != null && variable.getValueFrom().getSecretKeyRef() != null) {
                        assertThat(variable.getValueFrom().getSecretKeyRef().getName()).isEqualTo(secret.getMetadata().getName());
                        assertThat(secret.getStringData()).as("%s of %s", variable.getName(), template.getKey())
                                .containsKey(variable.getValueFrom().getSecretKeyRef().getKey());
                    }
                }
            }
        }
    }

    @Test
    void keepsEverySecretValueEmptyWithHowToGenerateIt() {
        V1Secret secret = (V1Secret) one("Secret", "random-chat-secrets").model();
        String text = RepositoryFiles.read("deployments/k8s/secret.yaml");

        assertThat(secret.getData()).isNullOrEmpty();
        assertThat(secret.getStringData()).containsKeys("JWT_SECRET", "REDIS_PASSWORD", "MINIO_ROOT_USER",
                "MINIO_ROOT_PASSWORD", "MINIO_APP_USER", "MINIO_APP_PASSWORD", "ADMIN_TOKEN");
        assertThat(secret.getStringData().values()).as("no usable placeholder").allMatch(String::isEmpty);
        assertThat(text).contains("openssl rand -base64 48").doesNotContainIgnoringCase("change-me");
    }

    @Test
    void servesMetricsAndTheOperatorApiOnlyOnTheManagementPortThatNoServiceExposes() {
        V1Container chat = chatContainer();
        Map<String, String> annotations = chatDeployment().getSpec().getTemplate().getMetadata().getAnnotations();
        int management = Integer.parseInt(configMap().getData().get("MANAGEMENT_PORT"));

        assertThat(port(chat, new IntOrString("management"))).isEqualTo(management);
        assertThat(annotations).containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/port", Integer.toString(management))
                .containsEntry("prometheus.io/path", "/actuator/prometheus");
        for (Manifest manifest : manifests) {
            if (manifest.model() instanceof V1Service service) {
                for (var servicePort : service.getSpec().getPorts()) {
                    assertThat(List.of(String.valueOf(servicePort.getTargetPort()), String.valueOf(servicePort.getPort())))
                            .as("Service %s", manifest.name()).doesNotContain("management", Integer.toString(management));
                }
            }
        }
        assertThat(httpGet(chat.getReadinessProbe()).getPort().getStrValue()).as("probes stay on the public port")
                .isEqualTo("http");
    }

    @Test
    void neverPassesMetricsOrTheOperatorApiThroughTheIngress() {
        V1Ingress ingress = (V1Ingress) one("Ingress", "random-chat").model();
        Map<String, String> backends = new LinkedHashMap<>();
        ingress.getSpec().getRules().get(0).getHttp().getPaths()
                .forEach((path) -> backends.put(path.getPath(), path.getBackend().getService().getName()));
        V1Service closed = (V1Service) one("Service", backends.get("/actuator")).model();

        assertThat(backends).containsEntry("/", "random-chat").containsEntry("/actuator/health", "random-chat");
        for (String refused : List.of("/actuator", "/api/admin", "/admin")) {
            assertThat(backends.get(refused)).as(refused).isEqualTo(closed.getMetadata().getName());
        }
        assertThat(closed.getSpec().getSelector()).as("no endpoints: the controller answers itself").isNullOrEmpty();
    }

    @Test
    void trustsForwardedHeadersOnlyFromTheIngressControllersRangeMarkedForAdjustment() {
        String trusted = configMap().getData().get("TRUSTED_PROXIES");

        assertThat(trusted).isNotBlank().doesNotContain("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7");
        assertThat(RepositoryFiles.read("deployments/k8s/configmap.yaml")).contains("ADJUST");
    }

    @Test
    void limitsRedisMemoryBelowItsContainerLimitWithoutEvictingLiveChannels() {
        V1Container redis = ((V1StatefulSet) one("StatefulSet", "redis").model()).getSpec().getTemplate().getSpec()
                .getContainers().get(0);
        List<String> args = redis.getArgs();
        long maxmemory = NginxConfigTests.size(args.get(args.indexOf("--maxmemory") + 1).replace("mb", "m"));
        long limit = redis.getResources().getLimits().get("memory").getNumber().longValue();

        assertThat(args).containsSequence("--maxmemory-policy", "noeviction");
        assertThat(maxmemory).isPositive().isLessThanOrEqualTo(limit * 3 / 4);
    }

    @Test
    void createsTheBucketScopedMinioUserInAJobAndTheServersUseIt() {
        io.kubernetes.client.openapi.models.V1Job job = (io.kubernetes.client.openapi.models.V1Job) one("Job", "minio-init").model();
        String script = String.join("\n", job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs());
        Map<String, String> chatSecrets = new LinkedHashMap<>();
        chatContainer().getEnv().stream().filter((variable) -> variable.getValueFrom() != null
                && variable.getValueFrom().getSecretKeyRef() != null)
                .forEach((variable) -> chatSecrets.put(variable.getName(), variable.getValueFrom().getSecretKeyRef().getKey()));

        assertThat(script).contains("mc admin user add local \"$MINIO_APP_USER\"", "arn:aws:s3:::$MINIO_BUCKET/*")
                .doesNotContain("s3:*");
        assertThat(chatSecrets).containsEntry("MINIO_ACCESS_KEY", "MINIO_APP_USER")
                .containsEntry("MINIO_SECRET_KEY", "MINIO_APP_PASSWORD")
                .doesNotContainValue("MINIO_ROOT_USER").doesNotContainValue("MINIO_ROOT_PASSWORD");
    }

    @Test
    void selectsTheChatPodsWithANetworkPolicyForBothDirections() {
        Map<String, String> chatLabels = chatDeployment().getSpec().getTemplate().getMetadata().getLabels();
        V1NetworkPolicy policy = manifests.stream()
                .filter((manifest) -> manifest.model() instanceof V1NetworkPolicy)
                .map((manifest) -> (V1NetworkPolicy) manifest.model())
                .filter((candidate) -> chatLabels.entrySet().containsAll(candidate.getSpec().getPodSelector().getMatchLabels().entrySet()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no NetworkPolicy selects the chat pods"));

        assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(policy.getSpec().getIngress()).flatExtracting((rule) -> rule.getPorts())
                .extracting((port) -> port.getPort().getIntValue()).containsExactlyInAnyOrder(8080, 9090);
        assertThat(policy.getSpec().getEgress()).flatExtracting((rule) -> rule.getPorts())
                .extracting((port) -> port.getPort().getIntValue()).contains(53, 6379, 9000);
    }

    @Test
    void exposesTheServersThroughAServiceWithoutAffinity() {
        V1Service service = (V1Service) one("Service", "random-chat").model();

        assertThat(service.getSpec().getSelector()).isEqualTo(chatDeployment().getSpec().getSelector().getMatchLabels());
        assertThat(service.getSpec().getSessionAffinity()).isNull();
        assertThat(port(chatContainer(), service.getSpec().getPorts().get(0).getTargetPort())).isEqualTo(8080);
    }

    @Test
    void terminatesTlsAtTheIngressAndKeepsWebsocketsOpen() {
        V1Ingress ingress = (V1Ingress) one("Ingress", "random-chat").model();
        Map<String, String> annotations = ingress.getMetadata().getAnnotations();
        List<String> hosts = ingress.getSpec().getRules().stream().map(V1IngressRule::getHost).toList();

        assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
        assertThat(ingress.getSpec().getTls()).isNotEmpty().allSatisfy((V1IngressTLS tls) -> assertThat(tls.getSecretName()).isNotBlank());
        assertThat(ingress.getSpec().getTls().stream().flatMap((tls) -> tls.getHosts().stream())).containsAll(hosts);
        for (String timeout : List.of("proxy-read-timeout", "proxy-send-timeout")) {
            assertThat(Integer.parseInt(annotations.get("nginx.ingress.kubernetes.io/" + timeout))).as(timeout)
                    .isGreaterThanOrEqualTo(3600)
                    .isGreaterThan(PING_SECONDS * 10);
        }
        assertThat(NginxConfigTests.size(annotations.get("nginx.ingress.kubernetes.io/proxy-body-size")))
                .as("nginx size syntax").isGreaterThan(NginxConfigTests.DEFAULT_MAX_UPLOAD_BYTES);
        assertThat(annotations).containsEntry("nginx.ingress.kubernetes.io/ssl-redirect", "true");
        V1IngressServiceBackend backend = ingress.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService();
        V1Service service = (V1Service) one("Service", backend.getName()).model();
        assertThat(service.getSpec().getPorts()).extracting((port) -> port.getName()).contains(backend.getPort().getName());
    }

    @Test
    void autoscalesTheChatDeploymentFromTwoReplicas() {
        V2HorizontalPodAutoscaler hpa = (V2HorizontalPodAutoscaler) one("HorizontalPodAutoscaler", "random-chat").model();

        assertThat(hpa.getApiVersion()).isEqualTo("autoscaling/v2");
        assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(chatDeployment().getMetadata().getName());
        assertThat(hpa.getSpec().getMinReplicas()).isGreaterThanOrEqualTo(2);
        assertThat(hpa.getSpec().getMaxReplicas()).isGreaterThan(hpa.getSpec().getMinReplicas());
        assertThat(hpa.getSpec().getMetrics()).isNotEmpty();
        assertThat(chatContainer().getResources().getRequests()).as("utilization is relative to requests").containsKey("cpu");
    }

    @Test
    void budgetsDisruptionsSoThatOneServerAlwaysRuns() {
        V1PodDisruptionBudget pdb = (V1PodDisruptionBudget) one("PodDisruptionBudget", "random-chat").model();

        assertThat(pdb.getSpec().getSelector().getMatchLabels()).isEqualTo(chatDeployment().getSpec().getSelector().getMatchLabels());
        assertThat(pdb.getSpec().getMinAvailable().getIntValue())
                .isPositive()
                .as("a budget of every replica would block node drains")
                .isLessThan(chatDeployment().getSpec().getReplicas());
    }

    @Test
    void runsRedisAndMinioAsStatefulSetsWithHeadlessServicesAndVolumes() {
        for (String name : List.of("redis", "minio")) {
            V1StatefulSet statefulSet = (V1StatefulSet) one("StatefulSet", name).model();
            V1Service service = (V1Service) one("Service", statefulSet.getSpec().getServiceName()).model();
            V1PersistentVolumeClaim claim = statefulSet.getSpec().getVolumeClaimTemplates().get(0);
            V1Container container = statefulSet.getSpec().getTemplate().getSpec().getContainers().get(0);

            assertThat(service.getSpec().getClusterIP()).as(name).isEqualTo("None");
            assertThat(service.getSpec().getSelector()).isEqualTo(statefulSet.getSpec().getSelector().getMatchLabels());
            assertThat(statefulSet.getSpec().getTemplate().getMetadata().getLabels())
                    .containsAllEntriesOf(statefulSet.getSpec().getSelector().getMatchLabels());
            assertThat(claim.getSpec().getResources().getRequests()).containsKey("storage");
            assertThat(container.getVolumeMounts()).extracting((mount) -> mount.getName())
                    .contains(claim.getMetadata().getName());
            assertThat(port(container, service.getSpec().getPorts().get(0).getTargetPort()))
                    .isEqualTo(service.getSpec().getPorts().get(0).getPort());
        }
        V1Container redis = ((V1StatefulSet) one("StatefulSet", "redis").model()).getSpec().getTemplate().getSpec()
                .getContainers().get(0);
        assertThat(redis.getImage()).startsWith("redis:7");
        assertThat(redis.getArgs()).containsSequence("--requirepass", "$(REDIS_PASSWORD)");
        assertThat(envNames(redis)).as("$(REDIS_PASSWORD) expands only a variable of the container")
                .contains("REDIS_PASSWORD");
    }

    @Test
    void letsOnlyTheChatServersReachRedisAndMinio() {
        Map<String, String> chatLabels = chatDeployment().getSpec().getTemplate().getMetadata().getLabels();
        List<V1NetworkPolicy> policies = manifests.stream()
                .filter((manifest) -> manifest.kind().equals("NetworkPolicy"))
                .map((manifest) -> (V1NetworkPolicy) manifest.model())
                .toList();

        for (String name : List.of("redis", "minio")) {
            Map<String, String> labels = ((V1StatefulSet) one("StatefulSet", name).model()).getSpec().getTemplate()
                    .getMetadata().getLabels();
            V1NetworkPolicy policy = policies.stream()
                    .filter((candidate) -> labels.entrySet().containsAll(
                            candidate.getSpec().getPodSelector().getMatchLabels().entrySet()))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no policy for " + name));
            assertThat(chatLabels).containsAllEntriesOf(
                    policy.getSpec().getIngress().get(0).getFrom().get(0).getPodSelector().getMatchLabels());
        }
    }

    private List<String> resources() {
        return ComposeFileTests.strings(kustomization.get("resources"));
    }

    private Manifest one(String kind, String name) {
        return manifests.stream()
                .filter((manifest) -> manifest.kind().equals(kind) && manifest.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    private V1Deployment chatDeployment() {
        return (V1Deployment) one("Deployment", "random-chat").model();
    }

    private V1Container chatContainer() {
        return chatDeployment().getSpec().getTemplate().getSpec().getContainers().stream()
                .filter((container) -> container.getName().equals("chat"))
                .findFirst()
                .orElseThrow();
    }

    private V1ConfigMap configMap() {
        return (V1ConfigMap) one("ConfigMap", "random-chat-config").model();
    }

    private Map<String, V1PodTemplateSpec> podTemplates() {
        Map<String, V1PodTemplateSpec> templates = new LinkedHashMap<>();
        for (Manifest manifest : manifests) {
            KubernetesObject model = manifest.model();
            if (model instanceof V1Deployment deployment) {
                templates.put(manifest.name(), deployment.getSpec().getTemplate());
            }
            else if (model instanceof V1StatefulSet statefulSet) {
                templates.put(manifest.name(), statefulSet.getSpec().getTemplate());
            }
            else if (model instanceof io.kubernetes.client.openapi.models.V1Job job) {
                templates.put(manifest.name(), job.getSpec().getTemplate());
            }
        }
        return templates;
    }

    /** The headless Service of a StatefulSet, checked to exist. */
    private String headlessServiceOf(String statefulSet) {
        String service = ((V1StatefulSet) one("StatefulSet", statefulSet).model()).getSpec().getServiceName();
        one("Service", service);
        return service;
    }

    private static List<String> envNames(V1Container container) {
        return Optional.ofNullable(container.getEnv()).orElse(List.of()).stream().map(V1EnvVar::getName).toList();
    }

    private static V1HTTPGetAction httpGet(V1Probe probe) {
        assertThat(probe).isNotNull();
        assertThat(probe.getHttpGet()).isNotNull();
        return probe.getHttpGet();
    }

    /** The container port a named or numbered port refers to, checked to exist. */
    private static int port(V1Container container, IntOrString port) {
        List<V1ContainerPort> ports = Objects.requireNonNull(container.getPorts());
        if (port.isInteger()) {
            assertThat(ports).extracting(V1ContainerPort::getContainerPort).contains(port.getIntValue());
            return port.getIntValue();
        }
        return ports.stream()
                .filter((candidate) -> port.getStrValue().equals(candidate.getName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + port.getStrValue()))
                .getContainerPort();
    }

    private static Duration shutdownPhase() {
        Path applicationYaml = RepositoryFiles.path("app/src/main/resources/application.yaml");
        if (!Files.isRegularFile(applicationYaml)) {
            return DEFAULT_SHUTDOWN_PHASE;
        }
        Matcher matcher = SHUTDOWN_PHASE.matcher(RepositoryFiles.read(applicationYaml));
        return matcher.find() ? Duration.ofSeconds(Long.parseLong(matcher.group(1))) : DEFAULT_SHUTDOWN_PHASE;
    }
}
