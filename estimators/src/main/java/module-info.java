/** Value estimators over trajectories, built from engine tensor ops. */
module org.rlgrad.estimators {
    requires transitive org.rlgrad.engine;

    // Exporting org.rlgrad.estimators waits for its first class: javac refuses to export a package
    // that holds only package-info.java.
}
