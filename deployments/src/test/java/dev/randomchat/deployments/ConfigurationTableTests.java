package dev.randomchat.deployments;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every environment variable the server reads through its application.yaml (the
 * {@code ${VAR...}} placeholders) has a row in the README's configuration table, and the table
 * names no variable the server does not read.
 */
class ConfigurationTableTests {

    private static final String APPLICATION_YAML = "app/src/main/resources/application.yaml";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]");
    /** A table row's first cell: one or more `VAR` names separated by " / ". */
    private static final Pattern ROW = Pattern.compile("(?m)^\\| ((?:`[A-Z][A-Z0-9_]*`(?: / )?)+) \\|");
    private static final Pattern NAME = Pattern.compile("`([A-Z][A-Z0-9_]*)`");
    /** Read by the server's code before Spring reads application.yaml (RandomChatApplication, TlsEnvironment). */
    private static final Set<String> READ_IN_CODE = Set.of("IO_THREADS", "TLS_CERT_FILE", "TLS_KEY_FILE");

    @Test
    void readmeTableListsEveryVariableOfApplicationYaml() {
        assertThat(documented()).containsAll(placeholders());
    }

    @Test
    void readmeTableListsNoVariableTheServerDoesNotRead() {
        Set<String> read = new TreeSet<>(READ_IN_CODE);
        read.addAll(placeholders());

        assertThat(read).containsAll(documented());
    }

    private static Set<String> placeholders() {
        Set<String> names = new TreeSet<>();
        Matcher placeholder = PLACEHOLDER.matcher(RepositoryFiles.read(APPLICATION_YAML));
        while (placeholder.find()) {
            names.add(placeholder.group(1));
        }
        assertThat(names).as("placeholders in %s", APPLICATION_YAML).contains("HTTP_PORT", "REDIS_ADDRS");
        return names;
    }

    /** The variables of the README's "Configure it" table. */
    private static Set<String> documented() {
        String readme = RepositoryFiles.read("README.md");
        int start = readme.indexOf("## Configure it");
        int end = readme.indexOf("\n## ", start + 1);
        assertThat(start).as("README section 'Configure it'").isNotNegative();
        Set<String> names = new TreeSet<>();
        Matcher row = ROW.matcher(readme.substring(start, end < 0 ? readme.length() : end));
        while (row.find()) {
            Matcher name = NAME.matcher(row.group(1));
            while (name.find()) {
                names.add(name.group(1));
            }
        }
        return names;
    }
}
