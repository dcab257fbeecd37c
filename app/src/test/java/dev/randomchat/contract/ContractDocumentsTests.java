package dev.randomchat.contract;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.randomchat.support.FrameSchemas;
import dev.randomchat.support.FrameSchemas.Direction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The machine-readable contract in {@code docs/}: the JSON Schemas are valid draft 2020-12
 * schemas that say what the protocol says, the AsyncAPI document is valid AsyncAPI 3.0 and names
 * exactly the frames that have schemas, and the OpenAPI document parses as OpenAPI 3.1 and holds
 * every path the server maps.
 */
class ContractDocumentsTests {

    private static final Path DOCS = FrameSchemas.dir().getParent();
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    @Test
    void everySchemaFileIsAValidDraft202012Schema() throws IOException {
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
        Schema metaSchema = registry.getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
        List<Path> files;
        try (Stream<Path> walk = Files.walk(FrameSchemas.dir())) {
            files = walk.filter(file -> file.toString().endsWith(".json")).sorted().toList();
        }

        assertThat(files).hasSizeGreaterThan(25);
        for (Path file : files) {
            List<Error> errors = metaSchema.validate(Files.readString(file), InputFormat.JSON);
            assertThat(errors).as("%s against the 2020-12 meta-schema", file).isEmpty();
        }
    }

    @Test
    void theSchemasSayWhatTheProtocolSays() {
        assertThat(valid(Direction.CLIENT, "{\"type\":\"send\",\"cmid\":\"c1\",\"text\":\"hi\"}")).isTrue();
        assertThat(valid(Direction.CLIENT, "{\"type\":\"send\",\"cmid\":\"c1\",\"text\":42}")).isFalse();
        assertThat(valid(Direction.CLIENT, "{\"type\":\"send\",\"cmid\":\"no spaces\",\"text\":\"hi\"}")).isFalse();
        assertThat(valid(Direction.CLIENT, "{\"type\":\"ping\",\"pad\":\"x\"}")).as("client frames carry no extra fields")
                .isFalse();
        assertThat(valid(Direction.CLIENT, "{\"type\":\"dance\"}")).isFalse();
        assertThat(valid(Direction.CLIENT, "{\"type\":\"report\",\"reason\":\"spam\",\"channelId\":\"c\"}"))
                .as("channelId without token").isFalse();
        assertThat(valid(Direction.CLIENT, "{\"type\":\"report\",\"reason\":\"spam\",\"channelId\":\"c\",\"token\":\"t\"}"))
                .isTrue();
        assertThat(valid(Direction.CLIENT, "{\"type\":\"media\",\"action\":\"request\",\"callId\":\"k1\"}"))
                .as("request without kinds").isFalse();
        assertThat(valid(Direction.CLIENT, "{\"type\":\"media\",\"action\":\"hangup\",\"callId\":\"k1\"}")).isTrue();
        assertThat(valid(Direction.SERVER, "{\"type\":\"message\",\"channelId\":\"c\",\"seq\":1,\"cmid\":\"m\","
                + "\"from\":\"g\",\"sentAt\":\"2026-01-02T03:04:05.678Z\",\"text\":\"hi\",\"extra\":true}"))
                .as("servers may add fields").isTrue();
        assertThat(valid(Direction.SERVER, "{\"type\":\"message\",\"channelId\":\"c\",\"seq\":1,\"cmid\":\"m\","
                + "\"from\":\"g\",\"sentAt\":\"2026-01-02T03:04:05Z\"}")).as("neither text nor file").isFalse();
        assertThat(valid(Direction.SERVER, "{\"type\":\"ended\",\"channelId\":\"c\",\"by\":\"g\",\"reason\":\"gone\"}"))
                .isTrue();
        assertThat(valid(Direction.SERVER, "{\"type\":\"error\",\"code\":\"oops\",\"message\":\"m\"}")).isFalse();
    }

    @Test
    void asyncApiDocumentIsValidAsyncApi3AndNamesEveryFrameWithASchema() throws IOException {
        JsonNode document = YAML.readTree(DOCS.resolve("asyncapi.yaml").toFile());
        Schema asyncApi;
        try (InputStream meta = getClass().getResourceAsStream("/contract/asyncapi-3.0.0.schema.json")) {
            asyncApi = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7).getSchema(meta);
        }

        assertThat(asyncApi.validate(document)).as("asyncapi.yaml against the AsyncAPI 3.0.0 schema").isEmpty();
        for (Direction direction : Direction.values()) {
            Set<String> described = new TreeSet<>();
            document.get("components").get("messages").properties().forEach(entry -> {
                String ref = entry.getValue().get("payload").get("schema").get("$ref").stringValue();
                assertThat(DOCS.resolve(ref)).as("payload of %s", entry.getKey()).isRegularFile();
                if (ref.startsWith("schemas/" + direction.folder() + "/")) {
                    described.add(entry.getValue().get("name").stringValue());
                }
            });
            assertThat(described).as("%s frames in asyncapi.yaml", direction.folder())
                    .containsExactlyInAnyOrderElementsOf(FrameSchemas.types(direction));
        }
    }

    @Test
    void openApiDocumentIsValidOpenApi31AndHoldsEveryPathTheServerMaps() {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readLocation(DOCS.resolve("openapi.yaml").toUri().toString(),
                null, options);

        assertThat(result.getMessages()).as("parser messages").isEmpty();
        assertThat(result.getOpenAPI().getOpenapi()).isEqualTo("3.1.0");
        assertThat(result.getOpenAPI().getPaths().keySet()).containsAll(mappedPaths());
    }

    private static boolean valid(Direction direction, String frame) {
        return FrameSchemas.violations(direction, frame).isEmpty();
    }

    /** Every path of every {@code @RestController} under {@code dev.randomchat}. */
    private static Set<String> mappedPaths() {
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AnnotationTypeFilter(RestController.class));
        Set<String> paths = new TreeSet<>();
        for (BeanDefinition candidate : scanner.findCandidateComponents("dev.randomchat")) {
            Class<?> controller;
            try {
                controller = Class.forName(candidate.getBeanClassName());
            }
            catch (ClassNotFoundException ex) {
                throw new IllegalStateException(ex);
            }
            RequestMapping base = AnnotatedElementUtils.findMergedAnnotation(controller, RequestMapping.class);
            List<String> prefixes = base == null || base.path().length == 0 ? List.of("") : List.of(base.path());
            for (Method method : controller.getDeclaredMethods()) {
                RequestMapping mapping = AnnotatedElementUtils.findMergedAnnotation(method, RequestMapping.class);
                if (mapping == null) {
                    continue;
                }
                List<String> suffixes = mapping.path().length == 0 ? List.of("") : List.of(mapping.path());
                for (String prefix : prefixes) {
                    suffixes.forEach(suffix -> paths.add(prefix + suffix));
                }
            }
        }
        assertThat(paths).as("mapped paths found").isNotEmpty();
        return new TreeSet<>(new ArrayList<>(paths));
    }
}
