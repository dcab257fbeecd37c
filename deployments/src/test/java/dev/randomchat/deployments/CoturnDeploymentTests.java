package dev.randomchat.deployments;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.randomchat.deployments.KubernetesManifests.Manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * coturn beside the chat servers: its turnserver.conf, its Compose service and its Kubernetes
 * manifests share one secret with the servers, publish the ports browsers need, and never relay
 * into private networks.
 */
class CoturnDeploymentTests {

    private static final String CONF = "deployments/coturn/turnserver.conf";

    private static final Path TURNSERVER = Path.of("/usr/bin/turnserver");

    /** Addresses a relay for strangers must refuse as peers: loopback, private, link-local, CGNAT, ULA. */
    private static final List<String> PRIVATE_PEERS = List.of("127.0.0.1", "10.1.2.3", "172.17.0.2", "192.168.1.10",
            "169.254.169.254", "100.64.0.1", "0.0.0.1", "::1", "fd00::1", "fe80::1", "::ffff:10.0.0.1");

    private static final Pattern RANGE = Pattern.compile("--min-port=(\\d+) --max-port=(\\d+)");

    private final List<String> conf = RepositoryFiles.read(CONF).lines()
            .map(String::strip)
            .filter(line -> !line.isEmpty() && !line.startsWith("#"))
            .toList();

    private final Map<String, String> exampleEnv = ComposeInterpolation.parseEnvFile(
            RepositoryFiles.read(ComposeFileTests.ENV_EXAMPLE));

    /** The example as an operator fills it in (the secrets are empty in it on purpose). */
    private final Map<String, String> filledEnv = ComposeFileTests.filled(exampleEnv);

    private final Map<Object, Object> compose = RepositoryFiles.yamlMap(ComposeFileTests.COMPOSE_FILE);

    @SuppressWarnings("unchecked")
    private final Map<Object, Object> resolved = (Map<Object, Object>) new ComposeInterpolation(filledEnv).apply(compose);

    @Test
    void turnserverConfChecksTheSharedSecretInARealmAndHoldsNoSecret() {
        assertThat(conf).contains("use-auth-secret", "no-cli", "fingerprint");
        assertThat(conf).anyMatch(line -> line.matches("realm=[a-z0-9.-]+"));
        assertThat(conf).as("the secret comes from the environment").noneMatch(line -> line.startsWith("static-auth-secret"));
        assertThat(conf).as("test-only setting").noneMatch(line -> line.startsWith("allow-loopback-peers"));
        assertThat(conf).as("fixed public address").noneMatch(line -> line.startsWith("external-ip"));
    }

    @Test
    void turnserverConfDeniesEveryPrivateAndLoopbackPeer() {
        List<BigInteger[]> denied = new ArrayList<>();
        for (String line : conf) {
            if (line.startsWith("denied-peer-ip=")) {
                String[] range = line.substring("denied-peer-ip=".length()).split("-", 2);
                denied.add(new BigInteger[] { number(range[0]), number(range.length == 2 ? range[1] : range[0]) });
            }
        }
        for (String peer : PRIVATE_PEERS) {
            BigInteger address = number(peer);
            assertThat(denied).as("a denied-peer-ip range holding %s", peer)
                    .anyMatch(range -> range[0].compareTo(address) <= 0 && address.compareTo(range[1]) <= 0);
        }
        assertThat(denied).as("a public peer stays allowed").noneMatch(range -> range[0].compareTo(number("8.8.8.8")) <= 0
                && number("8.8.8.8").compareTo(range[1]) <= 0);
    }

    @Test
    void coturnOfThisMachineAcceptsEveryLineOfTheConf(@TempDir Path temp) throws Exception {
        assumeTrue(Files.isExecutable(TURNSERVER),
                TURNSERVER + " is missing, so turnserver.conf was not run (apt-get install coturn)");
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path output = temp.resolve("turn.out");
        // The real file, on loopback only and with a private relay range, just long enough to read it.
        Process turn = new ProcessBuilder(TURNSERVER.toString(), "-c", RepositoryFiles.path(CONF).toString(),
                "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", "--listening-port=" + port,
                "--min-port=" + (port + 1), "--max-port=" + (port + 2), "--static-auth-secret=test-only",
                "--pidfile=" + temp.resolve("turn.pid"), "--userdb=" + temp.resolve("turndb"))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        try {
            awaitListening(turn, port);
        } finally {
            turn.destroy();
            if (!turn.waitFor(10, TimeUnit.SECONDS)) {
                turn.destroyForcibly();
            }
        }
        assertThat(Files.readString(output)).doesNotContainIgnoringCase("bad configuration")
                .doesNotContainIgnoringCase("unknown option");
    }

    @Test
    void composeRunsCoturnLastWithTheServersSecretAndPublishesItsPorts() {
        Map<Object, Object> services = ComposeFileTests.map(compose.get("services"));
        Map<Object, Object> coturn = ComposeFileTests.map(services.get("coturn"));
        Map<Object, Object> coturnEnv = environment("coturn");

        assertThat(new ArrayList<>(services.keySet())).last().isEqualTo("coturn");
        assertThat(coturn.get("image")).isEqualTo("${COTURN_IMAGE:-coturn/coturn:4.6}");
        assertThat(coturnEnv.get("TURN_SECRET")).isEqualTo(environment("chat").get("TURN_SECRET")).isNotNull();
        assertThat(coturnEnv.get("TURN_EXTERNAL_IP").toString()).isNotBlank();
        assertThat(ComposeFileTests.strings(coturn.get("volumes")))
                .contains("./coturn/turnserver.conf:/etc/coturn/turnserver.conf:ro");
        assertThat(String.join(" ", ComposeFileTests.strings(coturn.get("entrypoint"))))
                .contains("-c /etc/coturn/turnserver.conf", "--static-auth-secret=\"$$TURN_SECRET\"",
                        "--external-ip=\"$$TURN_EXTERNAL_IP\"");
        int min = confNumber("min-port");
        int max = confNumber("max-port");
        assertThat(ComposeFileTests.strings(coturn.get("ports")))
                .contains("3478:3478/udp", "3478:3478/tcp", min + "-" + max + ":" + min + "-" + max + "/udp");
        assertThat(environment("chat").get("TURN_URLS").toString()).startsWith("turn:").contains(":3478");
        assertThat(exampleEnv).containsKeys("TURN_SECRET", "TURN_EXTERNAL_IP", "TURN_URLS", "COTURN_IMAGE");
    }

    @Test
    void kubernetesRunsOneCoturnWithTheSecretsTurnSecretAndTheSameConf() {
        List<Manifest> manifests = KubernetesManifests.load(List.of("coturn.yaml", "secret.yaml", "deployment.yaml",
                "configmap.yaml"));
        V1Deployment deployment = (V1Deployment) one(manifests, "Deployment", "coturn");
        V1Container coturn = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        V1ConfigMap config = (V1ConfigMap) one(manifests, "ConfigMap", "coturn-config");
        V1Secret secret = (V1Secret) one(manifests, "Secret", "random-chat-secrets");
        V1Service service = (V1Service) one(manifests, "Service", "coturn");

        assertThat(config.getData().get("turnserver.conf")).isEqualTo(RepositoryFiles.read(CONF));
        assertThat(secretKey(coturn, "TURN_SECRET")).isEqualTo("TURN_SECRET");
        assertThat(secret.getStringData()).containsKey("TURN_SECRET");
        V1Container chat = ((V1Deployment) one(manifests, "Deployment", "random-chat")).getSpec().getTemplate().getSpec()
                .getContainers().stream().filter(container -> container.getName().equals("chat")).findFirst().orElseThrow();
        assertThat(secretKey(chat, "TURN_SECRET")).isEqualTo("TURN_SECRET");
        assertThat(((V1ConfigMap) one(manifests, "ConfigMap", "random-chat-config")).getData()).containsKey("TURN_URLS");

        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        String command = String.join(" ", coturn.getCommand()).replaceAll("\\s+", " ");
        assertThat(command).contains("-c /etc/coturn/turnserver.conf", "--static-auth-secret=\"$TURN_SECRET\"",
                "--external-ip=\"$TURN_EXTERNAL_IP\"");
        Matcher range = RANGE.matcher(command);
        assertThat(range.find()).as("the relay range on the command line").isTrue();
        int min = Integer.parseInt(range.group(1));
        int max = Integer.parseInt(range.group(2));
        assertThat(max).isGreaterThan(min);

        assertThat(service.getSpec().getType()).isEqualTo("LoadBalancer");
        assertThat(service.getSpec().getExternalTrafficPolicy()).as("TURN must see the peers' own addresses")
                .isEqualTo("Local");
        assertThat(service.getSpec().getSelector())
                .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        List<String> ports = service.getSpec().getPorts().stream()
                .map(port -> port.getPort() + "/" + port.getProtocol()).toList();
        assertThat(ports).contains("3478/UDP", "3478/TCP");
        for (int relay = min; relay <= max; relay++) {
            assertThat(ports).as("relay port %s published", relay).contains(relay + "/UDP");
        }
        assertThat(service.getSpec().getPorts()).extracting(V1ServicePort::getName).doesNotHaveDuplicates();

        V1NetworkPolicy egress = (V1NetworkPolicy) one(manifests, "NetworkPolicy", "coturn-egress-public-only");
        assertThat(egress.getSpec().getPodSelector().getMatchLabels())
                .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(egress.getSpec().getEgress().get(0).getTo().get(0).getIpBlock().getExcept())
                .contains("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16");
    }

    @Test
    void deployGuideExplainsWhatATurnServerNeeds() {
        String readme = RepositoryFiles.read("deployments/README-deploy.md");

        assertThat(readme).contains("external-ip", "symmetric NAT", "TURN_SECRET", "TURN_URLS", "TURN_EXTERNAL_IP",
                confNumber("min-port") + "-" + confNumber("max-port"), "`deployments/k8s/coturn.yaml`",
                "`deployments/coturn/turnserver.conf`");
    }

    private Map<Object, Object> environment(String service) {
        return ComposeFileTests.map(ComposeFileTests.map(ComposeFileTests.map(resolved.get("services")).get(service))
                .get("environment"));
    }

    private int confNumber(String key) {
        return conf.stream()
                .filter(line -> line.startsWith(key + "="))
                .map(line -> Integer.parseInt(line.substring(key.length() + 1)))
                .findFirst()
                .orElseThrow(() -> new AssertionError(key + " missing in " + CONF));
    }

    private static Object one(List<Manifest> manifests, String kind, String name) {
        return manifests.stream()
                .filter(manifest -> manifest.kind().equals(kind) && manifest.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name))
                .model();
    }

    private static String secretKey(V1Container container, String variable) {
        V1EnvVar env = container.getEnv().stream().filter(e -> e.getName().equals(variable)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + variable + " in " + container.getName()));
        assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo("random-chat-secrets");
        return env.getValueFrom().getSecretKeyRef().getKey();
    }

    /**
     * An address as one number: IPv6 (IPv4-mapped ones written with ':' included) as itself, plain
     * IPv4 above the IPv6 space, so the two families' ranges never overlap.
     */
    private static BigInteger number(String address) {
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(address).getAddress();
        }
        catch (IOException ex) {
            throw new AssertionError("not an IP address: " + address, ex);
        }
        BigInteger value = new BigInteger(1, bytes);
        if (bytes.length == 16) {
            return value;
        }
        // Java turns an IPv4-mapped IPv6 literal into an IPv4 address.
        return address.contains(":") ? value.add(BigInteger.valueOf(0xffffL).shiftLeft(32))
                : value.add(BigInteger.ONE.shiftLeft(128));
    }

    private static void awaitListening(Process turn, int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            assertThat(turn.isAlive()).as("turnserver still running with the conf").isTrue();
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("turnserver did not listen on " + port + " within 30 s");
    }
}
