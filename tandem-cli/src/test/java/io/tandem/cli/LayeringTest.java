package io.tandem.cli;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The layering the module and package names promise, checked on the compiled classes. */
class LayeringTest {

    private static final JavaClasses TANDEM = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.tandem");

    @Test
    void theCoreNeverImportsTheEngineTheServerOrTheCli() {
        noClasses().that().resideInAPackage("io.tandem.core..")
                .should().dependOnClassesThat().resideInAnyPackage("io.tandem.engine..", "io.tandem.server..",
                        "io.tandem.cli..")
                .check(TANDEM);
    }

    @Test
    void theSpiKnowsOnlyTheCore_noEngineNoDuckDb() {
        noClasses().that().resideInAPackage("io.tandem.spi..")
                .should().dependOnClassesThat().resideInAnyPackage("io.tandem.engine..", "io.tandem.server..",
                        "io.tandem.cli..", "org.duckdb..")
                .check(TANDEM);
    }

    /** tandem-spark is not on this module's classpath: its rule is tandem-spark's own LayeringTest. */
    @Test
    void theScaleOutPartsKnowOnlyTheSpi_notTheEmbeddedEngine() {
        noClasses().that().resideInAnyPackage("io.tandem.redis..", "io.tandem.kafka..")
                .should().dependOnClassesThat().resideInAnyPackage("io.tandem.engine..", "io.tandem.server..",
                        "io.tandem.cli..", "org.duckdb..")
                .check(TANDEM);
    }

    @Test
    void theEngineNeverImportsTheServerOrTheCli() {
        noClasses().that().resideInAPackage("io.tandem.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("io.tandem.server..", "io.tandem.cli..")
                .check(TANDEM);
    }

    @Test
    void theLogStandsAlone() {
        noClasses().that().resideInAnyPackage("io.tandem.spi.log..", "io.tandem.engine.log..")
                .should().dependOnClassesThat().resideInAnyPackage("io.tandem.spi.store..", "io.tandem.spi.view..",
                        "io.tandem.engine.store..", "io.tandem.engine.hot..", "io.tandem.engine.ingest..",
                        "io.tandem.engine.query..", "io.tandem.engine.view..")
                .check(TANDEM);
    }

    @Test
    void theRealtimeStoreKnowsViewsButNotWhoFillsOrReadsIt() {
        noClasses().that().resideInAnyPackage("io.tandem.spi.store..", "io.tandem.engine.store..")
                .should().dependOnClassesThat().resideInAnyPackage("io.tandem.engine.hot..",
                        "io.tandem.engine.ingest..", "io.tandem.engine.query..")
                .check(TANDEM);
    }

    @Test
    void theServerNeverImportsTheCli() {
        noClasses().that().resideInAPackage("io.tandem.server..")
                .should().dependOnClassesThat().resideInAPackage("io.tandem.cli..")
                .check(TANDEM);
    }
}
