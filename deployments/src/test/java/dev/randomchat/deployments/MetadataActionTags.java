package dev.randomchat.deployments;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The image tags docker/metadata-action (v5, v6) computes from its {@code tags} and
 * {@code flavor} inputs for one Git ref, for the subset of its syntax this project may use:
 * {@code type=ref} (branch, tag, pr), {@code type=semver} and {@code type=raw}, with
 * {@code enable}, {@code priority}, {@code prefix} and {@code suffix}, and the {@code latest}
 * flavor. Anything else is rejected, so that a change to the workflow cannot pass unchecked.
 */
final class MetadataActionTags {

    private static final Pattern SEMVER = Pattern.compile(
            "^v?(\\d+)\\.(\\d+)\\.(\\d+)(?:-([0-9A-Za-z.-]+))?(?:\\+[0-9A-Za-z.-]+)?$");

    private static final Pattern HANDLEBARS = Pattern.compile("\\{\\{\\s*(\\w+)\\s*}}");

    private static final Map<String, Set<String>> ATTRIBUTES = Map.of(
            "ref", Set.of("event", "enable", "priority", "prefix", "suffix"),
            "semver", Set.of("pattern", "enable", "priority", "prefix", "suffix"),
            "raw", Set.of("value", "enable", "priority", "prefix", "suffix"));

    private static final Map<String, Integer> DEFAULT_PRIORITIES = Map.of("semver", 900, "ref", 600, "raw", 200);

    record Tag(String type, Map<String, String> attributes) {

        int priority() {
            return Integer.parseInt(attributes.getOrDefault("priority", String.valueOf(DEFAULT_PRIORITIES.get(type))));
        }
    }

    private final List<Tag> tags;

    private final String latest;

    private final String defaultBranch;

    private String main;

    private final List<String> partial = new ArrayList<>();

    private Boolean latestTag;

    private MetadataActionTags(List<Tag> tags, String latest, String defaultBranch) {
        this.tags = tags;
        this.latest = latest;
        this.defaultBranch = defaultBranch;
    }

    /** The tags for a ref such as refs/pull/7/merge, refs/heads/main or refs/tags/v1.2.3. */
    static List<String> compute(String tagsInput, String flavorInput, String ref, String defaultBranch) {
        MetadataActionTags action = new MetadataActionTags(parseTags(tagsInput), parseLatestFlavor(flavorInput),
                defaultBranch);
        return action.compute(ref);
    }

    private List<String> compute(String ref) {
        for (Tag tag : tags) {
            if (!enabled(tag.attributes().getOrDefault("enable", "true"), ref)) {
                continue;
            }
            switch (tag.type()) {
                case "ref" -> ref(tag, ref);
                case "semver" -> semver(tag, ref);
                case "raw" -> setVersion(value(tag, tag.attributes().get("value")), autoLatest(false));
                default -> throw new IllegalStateException(tag.type());
            }
        }
        List<String> result = new ArrayList<>();
        if (main == null) {
            return result;
        }
        result.add(main);
        result.addAll(partial);
        if (Boolean.TRUE.equals(latestTag)) {
            result.add("latest");
        }
        return result;
    }

    private void ref(Tag tag, String ref) {
        String event = tag.attributes().get("event");
        switch (event) {
            case "branch" -> {
                if (ref.startsWith("refs/heads/")) {
                    setVersion(value(tag, ref.substring("refs/heads/".length())), autoLatest(false));
                }
            }
            case "tag" -> {
                if (ref.startsWith("refs/tags/")) {
                    setVersion(value(tag, ref.substring("refs/tags/".length())), autoLatest(true));
                }
            }
            case "pr" -> {
                if (ref.startsWith("refs/pull/")) {
                    String number = ref.substring("refs/pull/".length()).replaceAll("/merge$", "");
                    setVersion(value(tag, number), autoLatest(false));
                }
            }
            default -> throw new IllegalArgumentException("Unsupported type=ref event: " + event);
        }
    }

    private void semver(Tag tag, String ref) {
        if (!ref.startsWith("refs/tags/")) {
            return;
        }
        String raw = ref.substring("refs/tags/".length()).replace('/', '-');
        Matcher version = SEMVER.matcher(raw);
        if (!version.matches()) {
            return;
        }
        String pattern = tag.attributes().get("pattern");
        boolean prerelease = version.group(4) != null;
        if (prerelease) {
            String prereleasePattern = pattern.strip().matches("\\{\\{\\s*raw\\s*}}") ? pattern : "{{version}}";
            setVersion(value(tag, render(prereleasePattern, raw, version)), autoLatest(false));
        }
        else {
            setVersion(value(tag, render(pattern, raw, version)), autoLatest(true));
        }
    }

    private static String render(String pattern, String raw, Matcher version) {
        Matcher expression = HANDLEBARS.matcher(pattern);
        StringBuilder result = new StringBuilder();
        while (expression.find()) {
            String core = version.group(1) + "." + version.group(2) + "." + version.group(3);
            String value = switch (expression.group(1)) {
                case "raw" -> raw;
                case "version" -> (version.group(4) != null) ? core + "-" + version.group(4) : core;
                case "major" -> version.group(1);
                case "minor" -> version.group(2);
                case "patch" -> version.group(3);
                default -> throw new IllegalArgumentException("Unsupported semver expression: " + expression.group());
            };
            expression.appendReplacement(result, Matcher.quoteReplacement(value));
        }
        expression.appendTail(result);
        return result.toString();
    }

    private boolean autoLatest(boolean auto) {
        return switch (latest) {
            case "auto" -> auto;
            case "true" -> true;
            default -> false;
        };
    }

    private String value(Tag tag, String value) {
        String prefix = literal(tag.attributes().getOrDefault("prefix", tag.attributes().get("event") != null
                && tag.attributes().get("event").equals("pr") ? "pr-" : ""));
        String suffix = literal(tag.attributes().getOrDefault("suffix", ""));
        return prefix + value + suffix;
    }

    private void setVersion(String value, boolean latestForThis) {
        if (value.isEmpty()) {
            return;
        }
        String tag = value.replaceAll("[^a-zA-Z0-9._-]+", "-");
        if (main == null) {
            main = tag;
        }
        else if (!tag.equals(main)) {
            partial.add(tag);
        }
        if (latestTag == null) {
            latestTag = latestForThis;
        }
    }

    private boolean enabled(String expression, String ref) {
        boolean defaultBranchRef = ref.equals("refs/heads/" + defaultBranch);
        return switch (expression.strip()) {
            case "true" -> true;
            case "false" -> false;
            case "{{is_default_branch}}" -> defaultBranchRef;
            case "{{is_not_default_branch}}" -> !defaultBranchRef;
            default -> throw new IllegalArgumentException("Unsupported enable expression: " + expression);
        };
    }

    private static String literal(String text) {
        if (text.contains("{{") || text.contains("${{")) {
            throw new IllegalArgumentException("Unsupported expression in prefix or suffix: " + text);
        }
        return text;
    }

    static List<Tag> parseTags(String input) {
        List<Tag> tags = new ArrayList<>();
        for (String line : lines(input)) {
            Map<String, String> attributes = new LinkedHashMap<>();
            String type = null;
            for (String field : line.split(",")) {
                String[] keyAndValue = field.split("=", 2);
                if (keyAndValue.length != 2) {
                    throw new IllegalArgumentException("Unsupported tags entry (use key=value fields): " + line);
                }
                String key = keyAndValue[0].strip();
                String value = keyAndValue[1].strip();
                if (key.equals("type")) {
                    type = value;
                }
                else {
                    attributes.put(key, value);
                }
            }
            if (type == null || !ATTRIBUTES.containsKey(type)) {
                throw new IllegalArgumentException("Unsupported tags entry type: " + line);
            }
            if (!ATTRIBUTES.get(type).containsAll(attributes.keySet())) {
                throw new IllegalArgumentException("Unsupported attribute in: " + line);
            }
            if (type.equals("ref") && !attributes.containsKey("event")
                    || type.equals("semver") && !attributes.containsKey("pattern")
                    || type.equals("raw") && !attributes.containsKey("value")) {
                throw new IllegalArgumentException("Missing attribute in: " + line);
            }
            tags.add(new Tag(type, attributes));
        }
        tags.sort(Comparator.comparingInt(Tag::priority).reversed());
        return tags;
    }

    private static String parseLatestFlavor(String input) {
        String latest = "auto";
        for (String line : lines(input)) {
            String[] keyAndValue = line.split("=", 2);
            if (keyAndValue.length != 2 || !keyAndValue[0].strip().equals("latest")
                    || !Set.of("auto", "true", "false").contains(keyAndValue[1].strip())) {
                throw new IllegalArgumentException("Unsupported flavor: " + line);
            }
            latest = keyAndValue[1].strip();
        }
        return latest;
    }

    private static List<String> lines(String input) {
        if (input == null) {
            return List.of();
        }
        return input.lines().map(String::strip).filter((line) -> !line.isEmpty() && !line.startsWith("#")).toList();
    }
}
