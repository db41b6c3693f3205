package org.rlgrad.engine.tensordict;

import java.util.List;
import java.util.NoSuchElementException;

/**
 * A strict TensorDict read found no entry at a key. The message names the key and every key
 * present (nested ones included), per DESIGN.md, so that a misspelt or misplaced key (a reward
 * read at the root instead of under {@code "next"}) is seen at once. Callers that treat absence as
 * normal use the defaulting accessors instead of catching this.
 */
public final class MissingKeyException extends NoSuchElementException {
    private final Key key;
    private final List<Key> present;

    public MissingKeyException(Key key, List<Key> present) {
        super("key " + key + " not found in TensorDict with keys " + present);
        this.key = key;
        this.present = List.copyOf(present);
    }

    /** The key that was asked for. */
    public Key key() { return key; }

    /** The keys the dict held, nested ones included, in insertion order. */
    public List<Key> present() { return present; }
}
