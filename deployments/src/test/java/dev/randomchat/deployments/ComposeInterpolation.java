package dev.randomchat.deployments;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compose's variable substitution ({@code ${VAR}}, {@code ${VAR:-default}},
 * {@code ${VAR:?error}}, {@code $$}) and its {@code .env} format, so that the compose file can
 * be checked as a deployment would see it even where docker-compose is not installed.
 */
final class ComposeInterpolation {

    private static final Pattern VARIABLE = Pattern.compile(
            "\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?}");

    private final Map<String, String> environment;

    ComposeInterpolation(Map<String, String> environment) {
        this.environment = environment;
    }

    static Map<String, String> parseEnvFile(String text) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            String[] nameAndValue = trimmed.split("=", 2);
            values.put(nameAndValue[0].strip(), nameAndValue.length == 2 ? nameAndValue[1].strip() : "");
        }
        return values;
    }

    /** The names a compose file requires with {@code ${VAR:?message}} or {@code ${VAR?message}}. */
    static List<String> requiredVariables(String composeText) {
        return VARIABLE.matcher(composeText).results()
                .filter((match) -> match.group(2) != null && match.group(2).endsWith("?"))
                .map((match) -> match.group(1))
                .distinct()
                .toList();
    }

    /** Every variable name a compose file refers to. */
    static List<String> referencedVariables(String composeText) {
        return VARIABLE.matcher(composeText).results()
                .filter((match) -> match.group(1) != null)
                .map((match) -> match.group(1))
                .distinct()
                .toList();
    }

    /** The YAML tree with every string interpolated. */
    @SuppressWarnings("unchecked")
    Object apply(Object node) {
        if (node instanceof Map<?, ?> map) {
            Map<Object, Object> result = new LinkedHashMap<>();
            map.forEach((key, value) -> result.put(key, apply(value)));
            return result;
        }
        if (node instanceof List<?> list) {
            return list.stream().map(this::apply).toList();
        }
        if (node instanceof String text) {
            return interpolate(text);
        }
        return node;
    }

    String interpolate(String text) {
        Matcher matcher = VARIABLE.matcher(text);
        StringBuilder result = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(result, Matcher.quoteReplacement(replacement(matcher)));
        }
        matcher.appendTail(result);
        return result.toString();
    }

    private String replacement(Matcher matcher) {
        if (matcher.group().equals("$$")) {
            return "$";
        }
        String name = matcher.group(1);
        String operator = matcher.group(2);
        String operand = matcher.group(3);
        String value = environment.get(name);
        boolean unset = value == null || (operator != null && operator.startsWith(":") && value.isEmpty());
        if (!unset) {
            return value;
        }
        if (operator != null && operator.endsWith("?")) {
            throw new IllegalArgumentException("required variable " + name + " is missing: " + operand);
        }
        return (operator != null) ? operand : "";
    }
}
