package dev.randomchat.deployments;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** deployments/README-deploy.md says what the files do: its tag table and the paths it names. */
class DeployReadmeTests {

    private static final String README = "deployments/README-deploy.md";

    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    private static final Pattern REPOSITORY_PATH = Pattern.compile("`((?:deployments|\\.github)/[A-Za-z0-9_./-]+)`");

    private final String readme = RepositoryFiles.read(README);

    private final ImageWorkflow workflow = new ImageWorkflow();

    record TagRow(String ref, List<String> tags, boolean pushed) {
    }

    @Test
    void documentsTheImageTagsTheWorkflowReallyProduces() {
        List<TagRow> rows = tagRows();

        assertThat(rows).extracting(TagRow::ref)
                .contains("refs/pull/7/merge", "refs/heads/" + ImageWorkflow.DEFAULT_BRANCH)
                .anyMatch((ref) -> ref.matches("refs/tags/v\\d+\\.\\d+\\.\\d+"));
        for (TagRow row : rows) {
            String event = row.ref().startsWith("refs/pull/") ? "pull_request" : "push";
            assertThat(workflow.tags(row.ref())).as("tags for %s", row.ref()).containsExactlyElementsOf(row.tags());
            assertThat(workflow.pushes(event)).as("push for %s", row.ref()).isEqualTo(row.pushed());
        }
    }

    @Test
    void namesOnlyFilesThatExist() {
        Matcher matcher = REPOSITORY_PATH.matcher(readme);
        List<String> paths = new ArrayList<>();
        while (matcher.find()) {
            paths.add(matcher.group(1));
        }

        assertThat(paths).isNotEmpty();
        for (String path : paths) {
            if (!path.equals("deployments/.env")) {
                assertThat(RepositoryFiles.path(path)).as(path).exists();
            }
        }
    }

    @Test
    void explainsTheTimeoutsThatLongLivedWebsocketsNeed() {
        assertThat(readme).contains("proxy-read-timeout", "proxy-send-timeout", "timeoutSec",
                "idle_timeout.timeout_seconds", "use-forwarded-headers", "SHUTDOWN_DRAIN_SECONDS");
    }

    /** Rows of the markdown table whose second column is a Git ref. */
    private List<TagRow> tagRows() {
        List<TagRow> rows = new ArrayList<>();
        for (String line : readme.lines().toList()) {
            String[] cells = line.split("\\|");
            if (cells.length < 5 || !cells[2].contains("`refs/")) {
                continue;
            }
            String ref = codeSpans(cells[2]).get(0);
            boolean pushed = switch (cells[4].strip()) {
                case "yes" -> true;
                case "no" -> false;
                default -> throw new AssertionError("Pushed must be yes or no: " + line);
            };
            rows.add(new TagRow(ref, codeSpans(cells[3]), pushed));
        }
        return rows;
    }

    private static List<String> codeSpans(String cell) {
        Matcher matcher = CODE.matcher(cell);
        List<String> spans = new ArrayList<>();
        while (matcher.find()) {
            spans.add(matcher.group(1));
        }
        return spans;
    }
}
