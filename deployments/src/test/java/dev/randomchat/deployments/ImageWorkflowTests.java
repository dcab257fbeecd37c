package dev.randomchat.deployments;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * .github/workflows/image.yml: when it runs and which tags it gives the image, computed from
 * the file itself (docker/metadata-action's rules, emulated), so the rules cannot rot silently.
 */
class ImageWorkflowTests {

    private final ImageWorkflow workflow = new ImageWorkflow();

    @Test
    void runsForPullRequestsPushesToMainAndVersionTags() {
        Map<Object, Object> triggers = workflow.triggers();
        Map<Object, Object> push = ComposeFileTests.map(triggers.get("push"));
        List<String> tagPatterns = ComposeFileTests.strings(push.get("tags"));

        assertThat(triggers).containsKey("pull_request");
        if (triggers.get("pull_request") != null) {
            assertThat(ComposeFileTests.map(triggers.get("pull_request"))).doesNotContainKeys("paths", "branches-ignore");
        }
        assertThat(ComposeFileTests.strings(push.get("branches"))).containsExactly(ImageWorkflow.DEFAULT_BRANCH);
        assertThat(tagPatterns).containsExactly("v*.*.*");
        assertThat(tagPatterns).anyMatch((pattern) -> ImageWorkflow.globMatches(pattern, "v1.2.3"));
        assertThat(tagPatterns).anyMatch((pattern) -> ImageWorkflow.globMatches(pattern, "v10.0.12"));
        assertThat(tagPatterns).noneMatch((pattern) -> ImageWorkflow.globMatches(pattern, "1.2.3"));
        assertThat(tagPatterns).noneMatch((pattern) -> ImageWorkflow.globMatches(pattern, "v1.2"));
    }

    @Test
    void buildsAPullRequestAsPrNumberWithoutPushingIt() {
        assertThat(workflow.tags("refs/pull/7/merge")).containsExactly("pr-7");
        assertThat(workflow.pushes("pull_request")).isFalse();
        assertThat(workflow.logsIn("pull_request")).isFalse();
    }

    @Test
    void pushesTheDefaultBranchUnderItsName() {
        assertThat(workflow.tags("refs/heads/main")).containsExactly("main");
        assertThat(workflow.pushes("push")).isTrue();
        assertThat(workflow.logsIn("push")).isTrue();
    }

    @Test
    void pushesAVersionTagUnderItsNameAndAsLatest() {
        assertThat(workflow.tags("refs/tags/v1.2.3")).containsExactly("v1.2.3", "latest");
        assertThat(workflow.tags("refs/tags/v10.0.12")).containsExactly("v10.0.12", "latest");
    }

    @Test
    void leavesLatestAloneForAPreRelease() {
        assertThat(workflow.tags("refs/tags/v1.3.0-rc.1")).containsExactly("v1.3.0-rc.1");
    }

    @Test
    void buildsTheRepositoryDockerfileIntoTheProjectsRegistry() {
        Map<Object, Object> build = ImageWorkflow.with(workflow.step("docker/build-push-action"));
        Map<Object, Object> metadata = ImageWorkflow.with(workflow.step("docker/metadata-action"));
        Map<Object, Object> login = ImageWorkflow.with(workflow.step("docker/login-action"));

        assertThat(build).containsEntry("context", ".").containsEntry("file", DockerfileTests.DOCKERFILE);
        assertThat(RepositoryFiles.path(build.get("file").toString())).isRegularFile();
        assertThat(metadata.get("images").toString()).isEqualTo("${{ env.REGISTRY }}/${{ env.IMAGE_NAME }}");
        assertThat(login.get("registry").toString()).isEqualTo("${{ env.REGISTRY }}");
        assertThat(login.get("password").toString()).isEqualTo("${{ secrets.GITHUB_TOKEN }}");
        assertThat(ComposeFileTests.map(workflow.job().get("permissions"))).containsEntry("packages", "write");
    }

    @Test
    void evaluatesOnlyTheExpressionsItUnderstands() {
        assertThat(ImageWorkflow.evaluate("${{ github.event_name != 'pull_request' }}", "push")).isTrue();
        assertThat(ImageWorkflow.evaluate("github.event_name == 'pull_request'", "push")).isFalse();
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ImageWorkflow.evaluate("${{ github.ref == 'refs/heads/main' }}", "push"));
    }
}
