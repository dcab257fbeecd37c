package dev.randomchat.deployments;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;

/**
 * Loads the Kubernetes manifests and checks each document against the Kubernetes 1.32 API
 * schema, offline: the official Java client's models reject fields the schema does not define,
 * required fields that are missing and values of the wrong JSON shape.
 */
final class KubernetesManifests {

    static final Path DIRECTORY = RepositoryFiles.path("deployments/k8s");

    /** The kinds these manifests may use, by apiVersion and kind. Add one here to use it. */
    private static final Map<String, Class<? extends KubernetesObject>> MODELS = Map.ofEntries(
            Map.entry("v1/Namespace", V1Namespace.class),
            Map.entry("v1/ConfigMap", V1ConfigMap.class),
            Map.entry("v1/Secret", V1Secret.class),
            Map.entry("v1/Service", V1Service.class),
            Map.entry("apps/v1/Deployment", V1Deployment.class),
            Map.entry("apps/v1/StatefulSet", V1StatefulSet.class),
            Map.entry("batch/v1/Job", io.kubernetes.client.openapi.models.V1Job.class),
            Map.entry("networking.k8s.io/v1/Ingress", V1Ingress.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", V1NetworkPolicy.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", V2HorizontalPodAutoscaler.class),
            Map.entry("policy/v1/PodDisruptionBudget", V1PodDisruptionBudget.class));

    /** Keys whose values Kubernetes types as map[string]string: YAML numbers or booleans fail there. */
    private static final Set<String> STRING_MAPS = Set.of("labels", "annotations", "matchLabels", "data",
            "stringData", "nodeSelector");

    private static final Gson GSON = JSON.getGson();

    record Manifest(String file, Map<?, ?> raw, KubernetesObject model) {

        String kind() {
            return model.getKind();
        }

        String name() {
            return model.getMetadata().getName();
        }
    }

    private KubernetesManifests() {
    }

    static List<Manifest> load(List<String> files) {
        List<Manifest> manifests = new ArrayList<>();
        for (String file : files) {
            for (Object document : RepositoryFiles.yamlDocuments(DIRECTORY.resolve(file))) {
                manifests.add(new Manifest(file, (Map<?, ?>) document, validate(file, document)));
            }
        }
        return manifests;
    }

    /** The typed model of one YAML document, or an exception saying what the schema rejects. */
    static KubernetesObject validate(String file, Object document) {
        if (!(document instanceof Map<?, ?> raw)) {
            throw new IllegalArgumentException(file + ": a document is not a mapping");
        }
        String type = raw.get("apiVersion") + "/" + raw.get("kind");
        Class<? extends KubernetesObject> model = MODELS.get(type);
        if (model == null) {
            throw new IllegalArgumentException(file + ": " + type + " is not a kind these tests know");
        }
        requireStringValues(file, raw, "");
        JsonElement json = GSON.toJsonTree(raw);
        try {
            KubernetesObject object = GSON.fromJson(json, model);
            if (object.getMetadata() == null || object.getMetadata().getName() == null) {
                throw new IllegalArgumentException("metadata.name is required");
            }
            return object;
        }
        catch (RuntimeException ex) {
            throw new IllegalArgumentException(file + ": " + type + " does not match the Kubernetes schema: "
                    + ex.getMessage(), ex);
        }
    }

    private static void requireStringValues(String file, Object node, String path) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> {
                String childPath = path + "." + key;
                if (STRING_MAPS.contains(String.valueOf(key)) && value instanceof Map<?, ?> strings) {
                    strings.forEach((name, text) -> {
                        if (!(text instanceof String)) {
                            throw new IllegalArgumentException(file + ": " + childPath + "." + name
                                    + " must be a string, quote it (" + text + ")");
                        }
                    });
                }
                requireStringValues(file, value, childPath);
            });
        }
        else if (node instanceof List<?> list) {
            for (Object item : list) {
                if (path.endsWith(".env") && item instanceof Map<?, ?> variable && variable.containsKey("value")
                        && !(variable.get("value") instanceof String)) {
                    throw new IllegalArgumentException(file + ": env " + variable.get("name") + " must be a string");
                }
                requireStringValues(file, item, path + "[]");
            }
        }
    }
}
