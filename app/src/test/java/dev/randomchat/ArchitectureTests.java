package dev.randomchat;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
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

    /**
     * Lettuce's connections live on the event loops that serve the sockets (SharedEventLoops): a
     * call that blocks for a Redis reply on such a loop would wait for itself. Nothing in the server
     * blocks on a publisher or uses Lettuce's synchronous API.
     */
    @ArchTest
    static final ArchRule nothingBlocksOnRedisOrAPublisher = noClasses()
            .should()
            .callMethodWhere(describe("a blocking call on a Mono, a Flux or a Lettuce connection",
                    call -> {
                        String owner = call.getTargetOwner().getName();
                        String name = call.getName();
                        return (owner.equals(Mono.class.getName()) || owner.equals(Flux.class.getName()))
                                && name.startsWith("block")
                                || owner.startsWith("io.lettuce.core.") && name.equals("sync");
                    }));

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
