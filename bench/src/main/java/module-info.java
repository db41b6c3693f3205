/** JMH benchmarks of the engine, estimators and losses. */
module org.rlgrad.bench {
    requires org.rlgrad.engine;
    requires org.rlgrad.estimators;
    requires org.rlgrad.losses;
    requires jmh.core;

    // Exporting org.rlgrad.bench waits for its first class: javac refuses to export a package
    // that holds only package-info.java.
}
