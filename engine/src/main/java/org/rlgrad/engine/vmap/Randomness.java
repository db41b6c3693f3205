package org.rlgrad.engine.vmap;

/**
 * How random draws behave inside a vmapped function (spec engine.md section 5.3).
 *
 * <ul>
 *   <li>{@link #ERROR}: any draw throws, naming the setter that changes the mode. The default, so
 *       that a function that draws is never vmapped by accident.
 *   <li>{@link #SAME}: one draw of the per-entry shape, shared by every entry. A draw whose
 *       parameters are mapped ({@code bernoulli(p)} with mapped {@code p}) is defined rather than
 *       refused: every entry transforms the same base variates with its own parameters.
 *   <li>{@link #DIFFERENT}: a call takes {@code c = generator.split()} (the generator advances by
 *       one block, so every call draws fresh numbers) and entry {@code i} draws from
 *       {@code c.fold(i)}: the result equals the loop that runs the function on entry {@code i}
 *       with that generator.
 * </ul>
 */
public enum Randomness {
    ERROR,
    SAME,
    DIFFERENT
}
