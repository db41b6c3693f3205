/** Built-in environments, training loops and the command-line entry point behind ./rlgrad. */
module org.rlgrad.examples {
    requires org.rlgrad.engine;
    requires org.rlgrad.estimators;
    requires org.rlgrad.losses;
    // The learning-curve plot: java.awt images written by javax.imageio, headless.
    requires java.desktop;

    exports org.rlgrad.examples;
    exports org.rlgrad.examples.envs;
    exports org.rlgrad.examples.training;
    exports org.rlgrad.examples.training.replay;
    exports org.rlgrad.examples.cli;
}
