package org.rlgrad.examples.envs;

/** What the agents see: one observation per agent ({@code agents[i]}), and the global state. */
public record MultiAgentObservation(double[][] agents, double[] state) {}
