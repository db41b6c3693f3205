package org.rlgrad.engine.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test method (outside the gradient-check tables) that checks the gradient of the named
 * ops exactly, for example a dtype cast whose gradient is known in closed form. Same naming as
 * {@link GradCase#covers()}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface CoversOps {
    String[] value();
}
