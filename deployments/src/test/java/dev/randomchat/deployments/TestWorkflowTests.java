package dev.randomchat.deployments;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * .github/workflows/test.yml runs what a developer and CI run: the README's test command, on
 * pushes and pull requests, after installing the packages .ci/run installs.
 */
class TestWorkflowTests {

    private static final String WORKFLOW = ".github/workflows/test.yml";

    private final Map<Object, Object> workflow = RepositoryFiles.yamlMap(WORKFLOW);

    @Test
    void runsOnEveryPushAndPullRequest() {
        // YAML 1.1 reads the key `on` as the boolean true.
        Map<Object, Object> triggers = ComposeFileTests.map(workflow.containsKey("on") ? workflow.get("on")
                : workflow.get(Boolean.TRUE));

        assertThat(triggers).containsKeys("push", "pull_request");
        for (Object trigger : triggers.values()) {
            if (trigger != null) {
                assertThat(ComposeFileTests.map(trigger)).doesNotContainKeys("branches", "branches-ignore", "paths");
            }
        }
    }

    @Test
    void runsTheReadmesTestCommand() {
        Matcher block = Pattern.compile("## Test it\\s+```bash\\n([^\\n]+)\\n```").matcher(RepositoryFiles.read("README.md"));
        assertThat(block.find()).as("README's test command block").isTrue();

        assertThat(runLines()).contains(block.group(1).strip());
        assertThat(RepositoryFiles.read(".ci/run")).contains(block.group(1).strip());
    }

    @Test
    void installsEveryPackageCiRunInstalls() {
        Matcher missing = Pattern.compile("missing\\+=\\(([a-z0-9-]+)\\)").matcher(RepositoryFiles.read(".ci/run"));
        List<String> packages = new ArrayList<>();
        while (missing.find()) {
            packages.add(missing.group(1));
        }
        String install = String.join("\n", runLines());

        assertThat(packages).contains("redis-server", "chromium", "chromium-driver");
        for (String name : packages) {
            assertThat(install).as("installs %s", name).containsPattern("apt-get install[^\\n]*(\\\\\\n[^\\n]*)*\\b"
                    + Pattern.quote(name) + "\\b");
        }
    }

    private List<String> runLines() {
        Map<Object, Object> jobs = ComposeFileTests.map(workflow.get("jobs"));
        List<String> lines = new ArrayList<>();
        for (Object job : jobs.values()) {
            for (Object step : (List<?>) ComposeFileTests.map(job).get("steps")) {
                Object run = ComposeFileTests.map(step).get("run");
                if (run != null) {
                    lines.addAll(List.of(run.toString().strip().split("\\n")));
                }
            }
        }
        return lines.stream().map(String::strip).toList();
    }
}
