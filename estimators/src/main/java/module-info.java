/** Value estimators over trajectories, built from engine tensor ops. */
module org.rlgrad.estimators {
    requires transitive org.rlgrad.engine;

    exports org.rlgrad.estimators;
}
