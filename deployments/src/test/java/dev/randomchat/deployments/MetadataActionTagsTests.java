package dev.randomchat.deployments;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The emulation of docker/metadata-action reproduces the tables of the action's own README. */
class MetadataActionTagsTests {

    /** The action's default `tags` input. */
    private static final String DEFAULT_TAGS = """
            type=ref,event=branch
            type=ref,event=tag
            type=ref,event=pr
            """;

    /** The README's "Semver" example. */
    private static final String SEMVER_TAGS = """
            type=ref,event=branch
            type=ref,event=pr
            type=semver,pattern={{version}}
            type=semver,pattern={{major}}.{{minor}}
            """;

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            refs/pull/2/merge        | pr-2
            refs/heads/master        | master
            refs/heads/releases/v1   | releases-v1
            refs/tags/v1.2.3         | v1.2.3 latest
            refs/tags/v2.0.8-beta.67 | v2.0.8-beta.67 latest
            """)
    void tagsLikeTheActionWithItsDefaultInput(String ref, String expected) {
        assertThat(MetadataActionTags.compute(DEFAULT_TAGS, "", ref, "master")).containsExactlyElementsOf(words(expected));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            refs/pull/2/merge        | pr-2
            refs/heads/master        | master
            refs/heads/releases/v1   | releases-v1
            refs/tags/v1.2.3         | 1.2.3 1.2 latest
            refs/tags/v2.0.8-beta.67 | 2.0.8-beta.67
            """)
    void tagsLikeTheActionWithSemverPatterns(String ref, String expected) {
        assertThat(MetadataActionTags.compute(SEMVER_TAGS, "latest=auto", ref, "master"))
                .containsExactlyElementsOf(words(expected));
    }

    @Test
    void tagsOnlyTheDefaultBranchWhenAskedTo() {
        String tags = "type=raw,value=edge,enable={{is_default_branch}}";

        assertThat(MetadataActionTags.compute(tags, "", "refs/heads/main", "main")).containsExactly("edge");
        assertThat(MetadataActionTags.compute(tags, "", "refs/heads/other", "main")).isEmpty();
    }

    @Test
    void rejectsSyntaxItDoesNotEmulate() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> MetadataActionTags.compute("type=sha", "", "refs/heads/main", "main"));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> MetadataActionTags.compute("type=ref,event=branch,enable=${{ github.ref == 'x' }}",
                        "", "refs/heads/main", "main"));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> MetadataActionTags.compute("type=ref,event=pr", "prefix=x", "refs/heads/main", "main"));
    }

    private static List<String> words(String text) {
        return Arrays.asList(text.strip().split("\\s+"));
    }
}
