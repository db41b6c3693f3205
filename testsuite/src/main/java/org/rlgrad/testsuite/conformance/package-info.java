/**
 * The conformance runner: replays the reference vectors ({@code ops.json}, {@code estimators.json},
 * {@code losses.json}, {@code distributions.json}, described by the FORMAT-*.md notes beside them)
 * against rlgrad and reports what passed. {@link org.rlgrad.testsuite.conformance.ConformanceMain}
 * is the command line ({@code ./rlgrad conformance DIR [--filter REGEX]});
 * {@link org.rlgrad.testsuite.conformance.ConformanceRunner} does the work without exiting, for tests;
 * each family of vectors is a {@link org.rlgrad.testsuite.conformance.Family}.
 */
package org.rlgrad.testsuite.conformance;
