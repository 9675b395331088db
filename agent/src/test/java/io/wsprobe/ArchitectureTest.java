package io.wsprobe;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.wsprobe.scheduler.NoFreeSlot;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of docs/architecture.md. Data flows config → scheduler → prober (phases) →
 * protocol dialects → results → metrics / status / log → web, wired together in cli; a package
 * may use the ones before it, never the ones after.
 */
class ArchitectureTest {

  static JavaClasses classes;

  @BeforeAll
  static void importMain() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.wsprobe");
  }

  static void check(ArchRule rule) {
    rule.check(classes);
  }

  @Test
  void configUsesNothingElseOfWsprobeNorVertx() {
    check(noClasses().that().resideInAPackage("io.wsprobe.config..")
        .should().dependOnClassesThat(resideInAPackage("io.wsprobe..").and(not(resideInAPackage("io.wsprobe.config.."))))
        .orShould().dependOnClassesThat().resideInAPackage("io.vertx.."));
  }

  @Test
  void dialectsKnowNothingOfSchedulingResultsMetricsOrTheWeb() {
    check(noClasses().that().resideInAPackage("io.wsprobe.protocol..")
        .should().dependOnClassesThat().resideInAnyPackage("io.wsprobe.scheduler..", "io.wsprobe.results..",
            "io.wsprobe.metrics..", "io.wsprobe.web..", "io.wsprobe.cli.."));
  }

  @Test
  void theProberKnowsNothingOfSchedulingResultsMetricsOrTheWeb() {
    check(noClasses().that().resideInAPackage("io.wsprobe.prober..")
        .should().dependOnClassesThat().resideInAnyPackage("io.wsprobe.scheduler..", "io.wsprobe.results..",
            "io.wsprobe.metrics..", "io.wsprobe.web..", "io.wsprobe.cli.."));
  }

  @Test
  void resultsKnowNothingOfTheirConsumers() {
    check(noClasses().that().resideInAPackage("io.wsprobe.results..")
        .should().dependOnClassesThat().resideInAnyPackage("io.wsprobe.scheduler..", "io.wsprobe.metrics..",
            "io.wsprobe.web..", "io.wsprobe.cli.."));
  }

  @Test
  void metricsKnowNothingOfSchedulingOrTheWeb() {
    check(noClasses().that().resideInAPackage("io.wsprobe.metrics..")
        .should().dependOnClassesThat().resideInAnyPackage("io.wsprobe.scheduler..", "io.wsprobe.web..",
            "io.wsprobe.cli.."));
  }

  @Test
  void theSchedulerKnowsNothingOfTheWeb() {
    check(noClasses().that().resideInAPackage("io.wsprobe.scheduler..")
        .should().dependOnClassesThat().resideInAnyPackage("io.wsprobe.web..", "io.wsprobe.cli.."));
  }

  /** The web port sees the agent through narrow interfaces: of the scheduler, only its refusal. */
  @Test
  void theWebUsesNoSchedulerInternalsAndNotTheAgent() {
    check(noClasses().that().resideInAPackage("io.wsprobe.web..")
        .should().dependOnClassesThat(resideInAPackage("io.wsprobe.scheduler..").and(not(equivalentTo(NoFreeSlot.class))))
        .orShould().dependOnClassesThat().resideInAPackage("io.wsprobe.cli.."));
  }

  /** cli is the composition root: it wires everything, and nothing depends on it. */
  @Test
  void onlyTheCommandLineDependsOnTheCommandLine() {
    check(classes().that().resideInAPackage("io.wsprobe.cli..")
        .should().onlyHaveDependentClassesThat().resideInAPackage("io.wsprobe.cli.."));
  }

  /** The root package holds what every layer may read (the version, the event loops). */
  @Test
  void theRootPackageDependsOnNoLayer() {
    check(noClasses().that().resideInAPackage("io.wsprobe")
        .should().dependOnClassesThat(resideInAPackage("io.wsprobe..").and(not(resideInAPackage("io.wsprobe")))));
  }

  @Test
  void noCyclesBetweenPackages() {
    check(slices().matching("io.wsprobe.(*)..").should().beFreeOfCycles());
  }
}
