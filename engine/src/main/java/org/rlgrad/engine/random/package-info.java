/**
 * Counter-based random numbers: {@link org.rlgrad.engine.random.Philox}, the
 * {@link org.rlgrad.engine.random.Generator} built on it, and the
 * {@link org.rlgrad.engine.random.RandomSource} that losses and distributions draw from (a
 * generator, or {@link org.rlgrad.engine.random.ReplayedDraws} in tests).
 */
package org.rlgrad.engine.random;
