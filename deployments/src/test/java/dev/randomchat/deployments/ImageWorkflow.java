package dev.randomchat.deployments;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * .github/workflows/image.yml as data: its triggers, the steps that tag, log in and push, and
 * what they do for a given event, evaluated from the file itself.
 */
final class ImageWorkflow {

    static final String FILE = ".github/workflows/image.yml";

    static final String DEFAULT_BRANCH = "main";

    private static final Pattern EVENT_NAME_COMPARISON = Pattern.compile(
            "^\\s*(?:\\$\\{\\{)?\\s*github\\.event_name\\s*(==|!=)\\s*'([a-z_]+)'\\s*(?:}})?\\s*$");

    private static final Pattern STEP_OUTPUT = Pattern.compile("^\\$\\{\\{\\s*steps\\.([A-Za-z0-9_-]+)\\.outputs\\.tags\\s*}}$");

    private final Map<Object, Object> workflow = RepositoryFiles.yamlMap(FILE);

    /** The `on:` section; YAML 1.1 reads the bare key `on` as the boolean true. */
    Map<Object, Object> triggers() {
        Object on = workflow.containsKey("on") ? workflow.get("on") : workflow.get(Boolean.TRUE);
        return ComposeFileTests.map(on);
    }

    Map<Object, Object> job() {
        Map<Object, Object> jobs = ComposeFileTests.map(workflow.get("jobs"));
        if (jobs.size() != 1) {
            throw new IllegalStateException("Expected one job in " + FILE + ", found " + jobs.keySet());
        }
        return ComposeFileTests.map(jobs.values().iterator().next());
    }

    Map<Object, Object> step(String action) {
        List<Map<Object, Object>> matching = ((List<?>) job().get("steps")).stream()
                .map(ComposeFileTests::map)
                .filter((step) -> String.valueOf(step.get("uses")).startsWith(action + "@"))
                .toList();
        if (matching.size() != 1) {
            throw new IllegalStateException("Expected one " + action + " step in " + FILE + ", found " + matching.size());
        }
        return matching.get(0);
    }

    static Map<Object, Object> with(Map<Object, Object> step) {
        return ComposeFileTests.map(step.get("with"));
    }

    /** The image tags the workflow computes for an event on a ref. */
    List<String> tags(String ref) {
        Map<Object, Object> metadata = with(step("docker/metadata-action"));
        return MetadataActionTags.compute((String) metadata.get("tags"), (String) metadata.get("flavor"), ref,
                DEFAULT_BRANCH);
    }

    /** Whether the build step pushes the image for an event. */
    boolean pushes(String eventName) {
        Map<Object, Object> buildPush = step("docker/build-push-action");
        Matcher tags = STEP_OUTPUT.matcher(String.valueOf(with(buildPush).get("tags")));
        if (!tags.matches() || !tags.group(1).equals(step("docker/metadata-action").get("id"))) {
            throw new IllegalStateException("docker/build-push-action must take the tags of the metadata step");
        }
        boolean stepRuns = !buildPush.containsKey("if") || evaluate(String.valueOf(buildPush.get("if")), eventName);
        return stepRuns && evaluate(String.valueOf(with(buildPush).get("push")), eventName);
    }

    /** Whether the registry login runs for an event. */
    boolean logsIn(String eventName) {
        Map<Object, Object> login = step("docker/login-action");
        return !login.containsKey("if") || evaluate(String.valueOf(login.get("if")), eventName);
    }

    /** Evaluates `true`, `false` or a comparison of github.event_name; fails on anything else. */
    static boolean evaluate(String expression, String eventName) {
        if (expression.equals("true") || expression.equals("false")) {
            return Boolean.parseBoolean(expression);
        }
        Matcher comparison = EVENT_NAME_COMPARISON.matcher(expression);
        if (!comparison.matches()) {
            throw new IllegalArgumentException("Unsupported expression (extend ImageWorkflow): " + expression);
        }
        boolean equal = eventName.equals(comparison.group(2));
        return comparison.group(1).equals("==") == equal;
    }

    /** Whether a GitHub Actions filter pattern (`*`, `**`, literals) matches a branch or tag name. */
    static boolean globMatches(String pattern, String name) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*' && i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
                regex.append(".*");
                i++;
            }
            else if (c == '*') {
                regex.append("[^/]*");
            }
            else if ("?+[]!".indexOf(c) >= 0) {
                throw new IllegalArgumentException("Unsupported filter pattern character '" + c + "' in " + pattern);
            }
            else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return name.matches(regex.toString());
    }
}
