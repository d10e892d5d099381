package dev.veil.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noFields;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.micrometer.core.instrument.Metrics;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of docs/DESIGN.md as executable rules over the main classes of every module. A rule
 * that fails names each offending class and the dependency or call that breaks it.
 */
class LayeringTest {

  private static final String FUNCTION_CODE = "dev.veil.functions..";
  private static final String POOL_CODE = "dev.veil.fpga..";

  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.veil");
    if (main.size() < 300) {
      throw new AssertionError(
          "only " + main.size() + " Veil classes imported: the module list in pom.xml is stale");
    }
  }

  /**
   * Functions, the pool, the protocol module, the web demo and the dashboard see the host through
   * its SPI only, never its implementation; even the remote worker's process joins the cluster
   * through the SPI's {@code ClusterJoin}.
   */
  @Test
  void functionsAndPoolImportOnlyTheRuntimeSpi() {
    noClasses()
        .that()
        .resideInAnyPackage(
            FUNCTION_CODE,
            POOL_CODE,
            "dev.veil.inference..",
            "dev.veil.webdemo..",
            "dev.veil.dashboard..")
        .should()
        .dependOnClassesThat(
            resideInAPackage("dev.veil.runtime..")
                .and(not(resideInAPackage("dev.veil.runtime.spi.."))))
        .because(
            "functions and the accelerator pool get host services through runtime's SPI (issue 14)")
        .check(main);
  }

  /**
   * Vert.x's internal packages (every {@code impl} and {@code internal} package of every Vert.x
   * module, such as {@code io.vertx.core.net.impl}) change without notice between releases.
   */
  @Test
  void noVertxInternals() {
    noClasses()
        .should()
        .dependOnClassesThat(resideInAnyPackage("io.vertx..impl..", "io.vertx..internal.."))
        .because("only Vert.x's public API is stable")
        .check(main);
  }

  /**
   * Host services reach function code through the host scope, never through process globals.
   * Exceptions: process entry points (classes named {@code *Main} or {@code *Cli}) read their own
   * process's environment, and {@code functions.StandaloneScope} is the one scope built from the
   * process, for Azure's Java worker, where no Veil host exists.
   */
  @Test
  void functionCodeReadsNoProcessGlobals() {
    noClasses()
        .that()
        .resideInAnyPackage(FUNCTION_CODE, POOL_CODE)
        .and()
        .haveSimpleNameNotEndingWith("Main")
        .and()
        .haveSimpleNameNotEndingWith("Cli")
        .and()
        .doNotHaveFullyQualifiedName("dev.veil.functions.StandaloneScope")
        .should()
        .callMethod(System.class, "getenv", String.class)
        .orShould()
        .callMethod(System.class, "getenv")
        .orShould()
        .callMethod(System.class, "getProperty", String.class)
        .orShould()
        .callMethod(System.class, "getProperty", String.class, String.class)
        .orShould()
        .accessField(Metrics.class, "globalRegistry")
        .orShould()
        .callMethod(Vertx.class, "currentContext")
        .because(
            "two hosts in one JVM must keep separate settings, metrics and Vert.x instances (issue 14)")
        .check(main);
  }

  /**
   * A static field that is not final is a process-wide variable shared by every host in the JVM.
   */
  @Test
  void noMutableStaticState() {
    noFields()
        .that()
        .areStatic()
        .and()
        .areDeclaredInClassesThat()
        .resideInAnyPackage("dev.veil..")
        .and()
        .areDeclaredInClassesThat()
        .haveSimpleNameNotEndingWith("Main")
        .and()
        .areDeclaredInClassesThat()
        .resideOutsideOfPackage("dev.veil.inference.grpc..") // protoc's generated code
        .should()
        .notBeFinal()
        .because("state belongs to a host, not to the process")
        .check(main);
  }

  /** The cluster places and routes invocations; it knows neither trigger types nor body formats. */
  @Test
  void clusterKnowsNoTriggersOrFunctions() {
    noClasses()
        .that()
        .resideInAPackage("dev.veil.runtime.cluster..")
        .should()
        .dependOnClassesThat(
            resideInAnyPackage(
                "com.microsoft.azure.functions..", "dev.veil.triggers..", "dev.veil.functions.."))
        .because("runtime's cluster package holds membership and placement only (issue 14)")
        .check(main);
  }

  /**
   * The SPI is the contract both sides compile against; it never reaches into an implementation.
   */
  @Test
  void spiDependsOnNoImplementation() {
    noClasses()
        .that()
        .resideInAPackage("dev.veil.runtime.spi..")
        .should()
        .dependOnClassesThat(
            resideInAnyPackage(
                "dev.veil.runtime.host..",
                "dev.veil.runtime.cluster..",
                "dev.veil.runtime.logging..",
                "dev.veil.triggers..",
                "dev.veil.functions..",
                "dev.veil.fpga.."))
        .check(main);
  }

  /** Engines (HE, secret sharing) and the blob store know nothing of the host or of functions. */
  @Test
  void enginesStandAlone() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.veil.he..", "dev.veil.smpc..", "dev.veil.storage..")
        .should()
        .dependOnClassesThat(
            resideInAnyPackage(
                "dev.veil.runtime..",
                "dev.veil.triggers..",
                "dev.veil.functions..",
                "dev.veil.fpga..",
                "io.vertx.."))
        .check(main);
  }

  @Test
  void noPackageCycles() {
    slices().matching("dev.veil.(**)").should().beFreeOfCycles().check(main);
  }
}
