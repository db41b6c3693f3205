/**
 * {@code ./rlgrad train} and {@code ./rlgrad demo}: argument parsing with a usage message that lists
 * the algorithms and environments, the terminal progress bar, and the learning curve written as CSV
 * and drawn as a PNG with the JDK's own imaging.
 */
package org.rlgrad.examples.cli;
