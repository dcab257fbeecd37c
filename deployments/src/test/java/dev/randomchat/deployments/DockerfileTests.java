package dev.randomchat.deployments;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import static org.assertj.core.api.Assertions.assertThat;

/** What deployments/Dockerfile says, checked without a Docker engine (none runs here). */
class DockerfileTests {

    static final String DOCKERFILE = "deployments/Dockerfile";

    /** The uid the image runs as; the Kubernetes manifests must use the same one. */
    static final long IMAGE_UID = 10001;

    private static final List<String> BOOT_LAYERS = List.of("dependencies", "spring-boot-loader",
            "snapshot-dependencies", "application");

    private final Dockerfile dockerfile = Dockerfile.parse(RepositoryFiles.read(DOCKERFILE));

    @Test
    void buildsTheServerJarWithTheMavenWrapperInAJdkStage() {
        Dockerfile.Stage build = dockerfile.stages().get(0);

        assertThat(dockerfile.stages()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(build.image()).startsWith("eclipse-temurin:17-jdk");
        assertThat(String.join("\n", build.arguments("RUN")))
                .contains("./mvnw -B -DskipTests package -pl app -am");
    }

    @Test
    void copiesTheExecutableJarThatTheAppModuleProduces() {
        // The executable (repackaged) jar carries Boot's `exec` classifier; the plain jar is the module's artifact.
        String expectedJar = executableJar();

        assertThat(String.join("\n", dockerfile.stages().get(0).arguments("RUN"))).contains(expectedJar);
        assertThat(RepositoryFiles.read("app/pom.xml")).contains("<classifier>exec</classifier>");
        assertThat(RepositoryFiles.read("app/pom.xml"))
                .as("the app jar must be layered for `extract --layers`")
                .containsPattern("<layers>\\s*<enabled>true</enabled>\\s*</layers>");
    }

    @Test
    void copiesEveryReactorModulePomSoThatMavenCanReadTheReactor() {
        String copies = String.join("\n", dockerfile.stages().get(0).arguments("COPY"));

        assertThat(copies).contains("mvnw").contains(".mvn/").containsPattern("(?m)^pom\\.xml");
        for (String module : modules()) {
            assertThat(copies).as("module %s", module).containsPattern("(?m)^" + Pattern.quote(module) + "/");
        }
    }

    @Test
    void extractsTheBootLayersAndCopiesThemLeastChangingFirst() {
        String runs = dockerfile.stages().stream()
                .flatMap((stage) -> stage.arguments("RUN").stream())
                .reduce("", String::concat);
        List<String> copiedLayers = new ArrayList<>();
        Pattern layerCopy = Pattern.compile("/extracted/([a-z-]+)/");
        for (String copy : dockerfile.finalStage().arguments("COPY")) {
            Matcher matcher = layerCopy.matcher(copy);
            if (matcher.find()) {
                copiedLayers.add(matcher.group(1));
            }
        }

        assertThat(runs).contains("java -Djarmode=tools -jar application.jar extract --layers");
        assertThat(copiedLayers).containsExactlyElementsOf(BOOT_LAYERS);
    }

    @Test
    void runsOnAJre17AsANonRootNumericUser() {
        Dockerfile.Stage run = dockerfile.finalStage();

        assertThat(run.image()).startsWith("eclipse-temurin:17-jre");
        assertThat(run.arguments("USER")).containsExactly(IMAGE_UID + ":" + IMAGE_UID);
        assertThat(String.join("\n", run.arguments("RUN"))).contains("--uid " + IMAGE_UID);
        assertThat(run.arguments("EXPOSE")).as("HTTP_PORT and MANAGEMENT_PORT").containsExactly("8080 9090");
    }

    @Test
    void startsTheJvmWithContainerAwareFlagsAndJavaOptsAsProcessOne() {
        List<String> entrypoint = dockerfile.finalStage().arguments("ENTRYPOINT");

        assertThat(entrypoint).hasSize(1);
        assertThat(entrypoint.get(0))
                .as("the shell execs java, so that java itself is PID 1 and receives SIGTERM")
                .startsWith("[\"sh\", \"-c\", \"exec java ")
                .contains("-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError $JAVA_OPTS -jar application.jar");
        assertThat(dockerfile.finalStage().arguments("ENV")).contains("JAVA_OPTS=\"\"");
    }

    @Test
    void takesItsBaseImagesAsBuildArgumentsAndNeedsNoFrontendImage() {
        String text = RepositoryFiles.read(DOCKERFILE);

        assertThat(text).containsPattern("(?m)^ARG JDK_IMAGE=eclipse-temurin:17-jdk")
                .containsPattern("(?m)^ARG JRE_IMAGE=eclipse-temurin:17-jre")
                .containsPattern("(?m)^FROM \\$\\{JDK_IMAGE} AS build")
                .containsPattern("(?m)^FROM \\$\\{JRE_IMAGE}$");
        assertThat(text).as("a `# syntax=` line makes BuildKit pull a frontend image").doesNotContainPattern("(?m)^# *syntax=");
        assertThat(RepositoryFiles.read("deployments/Dockerfile.dockerignore")).contains("**/target", ".git");
    }

    @Test
    void checksLivenessWithAToolThatTheRuntimeImageShips() {
        List<String> healthchecks = dockerfile.finalStage().arguments("HEALTHCHECK");

        assertThat(healthchecks).hasSize(1);
        assertThat(healthchecks.get(0))
                .contains("CMD curl -fsS")
                .contains("/actuator/health/liveness")
                .containsPattern("--interval=\\d+s")
                .containsPattern("--start-period=\\d+s");
        assertThat(dockerfile.finalStage().image())
                .as("the Temurin Ubuntu images ship curl; Alpine or distroless ones would not")
                .matches("eclipse-temurin:17-jre(-(jammy|noble))?");
    }

    static List<String> modules() {
        NodeList modules = pom("pom.xml").getElementsByTagName("module");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < modules.getLength(); i++) {
            names.add(modules.item(i).getTextContent().strip());
        }
        return names;
    }

    /** The server's executable jar, relative to the repository root, as the app module's build names it. */
    static String executableJar() {
        return "app/target/" + artifactId("app/pom.xml") + "-" + projectVersion() + "-exec.jar";
    }

    private static String artifactId(String pom) {
        return childText(pom(pom).getDocumentElement(), "artifactId");
    }

    private static String projectVersion() {
        return childText(pom("pom.xml").getDocumentElement(), "version");
    }

    private static String childText(Element parent, String name) {
        NodeList children = parent.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i) instanceof Element child && child.getTagName().equals(name)) {
                return child.getTextContent().strip();
            }
        }
        throw new IllegalStateException("No <" + name + "> in <" + parent.getTagName() + ">");
    }

    private static Document pom(String relative) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return factory.newDocumentBuilder().parse(new InputSource(new StringReader(RepositoryFiles.read(relative))));
        }
        catch (Exception ex) {
            throw new IllegalStateException("Cannot read " + relative, ex);
        }
    }
}
