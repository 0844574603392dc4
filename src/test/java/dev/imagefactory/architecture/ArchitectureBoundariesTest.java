package dev.imagefactory.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The boundaries of the code, as a test (siderolabs/image-factory keeps its own the same way): front ends
 * ({@code http}, {@code registry}, {@code ops}) → application ({@code build}, {@code schematic}, {@code catalog},
 * {@code secureboot}, {@code bootargs}) → infrastructure ({@code cache}, {@code oci}, {@code tools}), all over the
 * shared vocabulary at the bottom ({@code model}, {@code errors}, {@code content}, {@code config}), which depends on
 * nothing above it.
 */
class ArchitectureBoundariesTest {

    static final String ROOT = "dev.imagefactory";

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    static ArchRule layers() {
        return layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Front ends").definedBy(ROOT + ".http..", ROOT + ".registry..", ROOT + ".ops..")
                .layer("Application").definedBy(ROOT + ".build..", ROOT + ".schematic..", ROOT + ".catalog..",
                        ROOT + ".secureboot..", ROOT + ".bootargs..", ROOT + ".signing..")
                .layer("Infrastructure").definedBy(ROOT + ".cache..", ROOT + ".oci..", ROOT + ".tools..")
                .layer("Vocabulary").definedBy(ROOT + ".model..", ROOT + ".errors..", ROOT + ".content..",
                        ROOT + ".config..")
                .whereLayer("Front ends").mayNotBeAccessedByAnyLayer()
                .whereLayer("Application").mayOnlyBeAccessedByLayers("Front ends")
                .whereLayer("Infrastructure").mayOnlyBeAccessedByLayers("Front ends", "Application")
                .whereLayer("Vocabulary").mayOnlyBeAccessedByLayers("Front ends", "Application", "Infrastructure");
    }

    /** HTTP (JAX-RS) types stay in the front ends: below them, refusals are the project's own exceptions. */
    static ArchRule noJaxRsBelowTheFrontEnds() {
        return noClasses().that().resideOutsideOfPackages(ROOT + ".http..", ROOT + ".registry..", ROOT + ".ops..")
                .should().dependOnClassesThat().resideInAnyPackage("jakarta.ws.rs..")
                .because("only front ends speak HTTP");
    }

    /** Front ends name no storage objects: no cache keys, no storage back end. */
    static ArchRule noStorageNamesInTheFrontEnds() {
        return noClasses().that().resideInAnyPackage(ROOT + ".http..", ROOT + ".ops..")
                .or().haveSimpleNameEndingWith("Resource")
                .should().dependOnClassesThat().haveFullyQualifiedName(ROOT + ".cache.CacheKey")
                .orShould().dependOnClassesThat().haveFullyQualifiedName(ROOT + ".cache.ArtifactCache")
                .orShould().dependOnClassesThat().haveFullyQualifiedName(ROOT + ".cache.FileArtifactCache")
                .orShould().dependOnClassesThat().resideInAnyPackage(ROOT + ".cache.s3..")
                .because("a front end maps a resolved image to its protocol; where it is stored is the cache's");
    }

    /** The scheduler belongs to {@code build}: storage knows nothing of builds, steps or plans. */
    static ArchRule storageKnowsNoBuilds() {
        return noClasses().that().resideInAnyPackage(ROOT + ".cache..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".build..");
    }

    static ArchRule noCyclesBetweenPackages() {
        return slices().matching(ROOT + ".(*)..").should().beFreeOfCycles();
    }

    @Test
    void frontEndsOverApplicationOverInfrastructureOverVocabulary() {
        layers().check(classes);
    }

    @Test
    void jaxRsOnlyInTheFrontEnds() {
        noJaxRsBelowTheFrontEnds().check(classes);
    }

    @Test
    void frontEndsNameNoStorageObjects() {
        noStorageNamesInTheFrontEnds().check(classes);
    }

    @Test
    void theSchedulerIsNotInStorage() {
        storageKnowsNoBuilds().check(classes);
    }

    @Test
    void topLevelPackagesHaveNoCycles() {
        noCyclesBetweenPackages().check(classes);
    }

    /** The rules can fail: a JAX-RS type in {@code build} breaks them (a class of this test, imported as if in build). */
    @Test
    void aJaxRsImportInBuildWouldFail() {
        JavaClasses offending = new ClassFileImporter().importClasses(dev.imagefactory.build.fixture.JaxRsInBuild.class);
        EvaluationResult result = noJaxRsBelowTheFrontEnds().evaluate(offending);
        org.junit.jupiter.api.Assertions.assertTrue(result.hasViolation(), "a JAX-RS dependency in build is reported");
        org.junit.jupiter.api.Assertions.assertTrue(result.getFailureReport().toString().contains("jakarta.ws.rs"),
                result.getFailureReport().toString());
    }
}
