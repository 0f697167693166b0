package io.tandem.spark;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The Spark engine is a scale-out part: it knows the core and the SPI, Spark, Scala and the JDK, never the
 * embedded engine or DuckDB (which its tests use for comparison only). Checked here rather than in tandem-cli's
 * LayeringTest, as tandem-cli does not depend on this module.
 */
class LayeringTest {

    private static final JavaClasses SPARK = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.tandem.spark");

    @Test
    void theSparkEngineKnowsOnlyTheSpi_notTheEmbeddedEngine() {
        noClasses().that().resideInAPackage("io.tandem.spark..")
                .should().dependOnClassesThat().resideInAnyPackage("io.tandem.engine..", "io.tandem.server..",
                        "io.tandem.cli..", "io.tandem.redis..", "org.duckdb..")
                .check(SPARK);
    }

    @Test
    void theSparkEngineUsesOnlyTheCoreTheSpiSparkScalaAndTheJdk() {
        classes().that().resideInAPackage("io.tandem.spark..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("io.tandem.core..", "io.tandem.spi..",
                        "io.tandem.spark..", "org.apache.spark..", "scala..", "java..")
                .check(SPARK);
    }
}
