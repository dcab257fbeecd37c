package dev.randomchat;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The packages point one way (docs/architecture.md, "Packages"): the socket layer on top routes
 * frames to the features; the features speak to clients through {@code protocol/} only; nothing
 * imports its way back up.
 */
@AnalyzeClasses(packages = "dev.randomchat", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTests {

    @ArchTest
    static final ArchRule packagesHaveNoCycles = slices()
            .matching("dev.randomchat.(*)..")
            .should()
            .beFreeOfCycles();

    @ArchTest
    static final ArchRule onlyTheSocketLayerKnowsSockets = noClasses()
            .that()
            .resideOutsideOfPackage("dev.randomchat.socket..")
            .and()
            .resideInAPackage("dev.randomchat.(*)..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("dev.randomchat.socket..");

    @ArchTest
    static final ArchRule theWireVocabularyStandsAlone = noClasses()
            .that()
            .resideInAPackage("dev.randomchat.protocol..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.randomchat.socket..", "dev.randomchat.chat..", "dev.randomchat.match..",
                    "dev.randomchat.call..", "dev.randomchat.safety..", "dev.randomchat.presence..",
                    "dev.randomchat.upload..", "dev.randomchat.guest..", "dev.randomchat.system..");
}
