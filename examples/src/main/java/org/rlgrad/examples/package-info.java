/**
 * The command-line entry point behind {@code ./rlgrad} ({@link org.rlgrad.examples.Main}: {@code demo},
 * {@code train}, {@code autograd-demo}) and the autograd demo. The environments are in
 * {@link org.rlgrad.examples.envs}, the collector, replay buffers and trainers in
 * {@link org.rlgrad.examples.training}, the {@code train} command with its progress bar, CSV and
 * plot in {@link org.rlgrad.examples.cli}.
 */
package org.rlgrad.examples;
