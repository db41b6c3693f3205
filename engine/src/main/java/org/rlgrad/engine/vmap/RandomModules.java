package org.rlgrad.engine.vmap;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The module classes that draw random numbers when they run (dropout in training mode), so that
 * a loss or an estimator can choose its vmap randomness (spec/engine.md section 5.3): ERROR by
 * default, DIFFERENT when one of its networks contains a registered random module. A module class
 * registers itself once (a static initialiser); subclasses of a registered class count too.
 */
public final class RandomModules {
    private static final Set<Class<?>> REGISTERED = ConcurrentHashMap.newKeySet();

    private RandomModules() {}

    public static void register(Class<?> moduleClass) {
        REGISTERED.add(moduleClass);
    }

    /** Whether {@code module} is an instance of a registered class. */
    public static boolean isRandom(Object module) {
        for (Class<?> c = module.getClass(); c != null; c = c.getSuperclass()) {
            if (REGISTERED.contains(c)) return true;
        }
        return false;
    }

    /** DIFFERENT when any of {@code modules} (every module of a loss's networks, nested ones included) is random, else ERROR. */
    public static Randomness defaultRandomness(Iterable<?> modules) {
        for (Object m : modules) {
            if (isRandom(m)) return Randomness.DIFFERENT;
        }
        return Randomness.ERROR;
    }
}
