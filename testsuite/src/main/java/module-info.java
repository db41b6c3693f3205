/** Conformance against the reference vectors, cross-module property tests and learning tests. */
module org.rlgrad.testsuite {
    requires transitive org.rlgrad.engine;
    requires transitive org.rlgrad.estimators;
    requires transitive org.rlgrad.losses;
    // The learning tests train the examples module's agents on its environments.
    requires org.rlgrad.examples;

    // The conformance runner, which ./rlgrad conformance starts.
    exports org.rlgrad.testsuite.conformance;

    // Exporting org.rlgrad.testsuite waits for its first class: javac refuses to export a package
    // that holds only package-info.java.
}
