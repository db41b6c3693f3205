/** RL objectives (LossModule and every loss) and target-network updaters. */
module org.rlgrad.losses {
    requires transitive org.rlgrad.engine;
    requires transitive org.rlgrad.estimators;

    // Exporting org.rlgrad.losses waits for its first class: javac refuses to export a package
    // that holds only package-info.java.
}
