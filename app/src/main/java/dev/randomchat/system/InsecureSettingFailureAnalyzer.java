package dev.randomchat.system;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a refused secret into Spring Boot's short start-up report instead of a stack trace. */
class InsecureSettingFailureAnalyzer extends AbstractFailureAnalyzer<SecretsPolicy.InsecureSettingException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, SecretsPolicy.InsecureSettingException cause) {
        return new FailureAnalysis(cause.getMessage(), "Change " + cause.variable() + " and start again.", cause);
    }
}
