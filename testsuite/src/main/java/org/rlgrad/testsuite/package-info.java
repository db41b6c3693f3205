/**
 * The cross-module test suite. Its main code is the conformance runner
 * ({@code org.rlgrad.testsuite.conformance}), which replays the reference vectors (the JSON files
 * described by the FORMAT-*.md notes beside them) against the engine, estimators and losses, so
 * that both {@code mvn test} and {@code ./rlgrad conformance DIR} can use it. Its tests hold the
 * property tests that span modules and the learning tests; a committed copy of the reference
 * vectors lies under {@code src/test/resources/reference}.
 */
package org.rlgrad.testsuite;
