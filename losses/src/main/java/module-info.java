/** RL objectives (LossModule and every loss) and target-network updaters. */
module org.rlgrad.losses {
    requires transitive org.rlgrad.engine;
    requires transitive org.rlgrad.estimators;

    exports org.rlgrad.losses;
}
