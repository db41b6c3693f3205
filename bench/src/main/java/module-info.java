/** JMH benchmarks of the engine, estimators and losses, and the runner behind {@code ./rlgrad bench}. */
module org.rlgrad.bench {
    requires org.rlgrad.engine;
    requires org.rlgrad.estimators;
    requires org.rlgrad.losses;
    requires jmh.core;
    requires java.management;

    exports org.rlgrad.bench;
}
