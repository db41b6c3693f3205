package org.rlgrad.engine.tensordict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.engine.tensordict.TensorDictAsserts.assertMessageContains;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.testing.Property;

/** Keys: normalisation (spec 2.1), equality, printing, keyword form, path helpers. */
class TensorDictKeyTest {
    @Test
    void oneElementTupleIsThePlainString() {
        assertEquals(Key.of("a"), Key.of(new Object[] {"a"}));
        assertEquals(Key.of("a"), Key.of(List.of("a")));
        assertFalse(Key.of("a").isNested());
        assertEquals("\"a\"", Key.of("a").toString());
    }

    @Test
    void nestedTuplesAreFlattened() {
        Key k = Key.of("a", Key.of("b", "c"));
        assertEquals(Key.of("a", "b", "c"), k);
        assertEquals(Key.of("a", "b", "c"), Key.of("a", new Object[] {"b", new Object[] {"c"}}));
        assertEquals(Key.of("a", "b", "c").hashCode(), k.hashCode());
        assertNotEquals(Key.of("a", "b"), Key.of("ab"));
        assertNotEquals(Key.of("a", "b"), Key.of("b", "a"));
    }

    @Test
    void printsLikeTheReference() {
        assertEquals("(\"next\", \"reward\")", Key.of("next", "reward").toString());
    }

    @Test
    void keywordFormJoinsWithUnderscore() {
        assertEquals("next_reward", Key.of("next", "reward").keyword());
        assertEquals("obs", Key.of("obs").keyword());
        assertEquals("next.agents.reward", Key.of("next", "agents", "reward").join("."));
    }

    @Test
    void pathHelpers() {
        Key k = Key.of("next", "agents", "reward");
        assertEquals(Key.of("next", "agents"), k.parent());
        assertEquals(Key.of("agents", "reward"), k.rest());
        assertEquals("reward", k.last());
        assertEquals("next", k.first());
        assertNull(Key.of("a").parent());
        assertEquals(Key.of("next", "reward"), Key.of("reward").prepend("next"));
        assertEquals(Key.of("next", "reward", "x"), Key.of("next").append("reward", Key.of("x")));
        assertTrue(k.startsWith(Key.of("next")));
        assertFalse(Key.of("next").startsWith(k));
        assertEquals(Key.of("agents", "action_log_prob"), Key.of("agents", "action").withLastSuffix("_log_prob"));
        assertEquals(Key.of("a", "b"), Key.parse("a.b", "."));
    }

    @Test
    void badKeysAreRefusedSayingWhatCame() {
        assertMessageContains(assertThrows(IllegalArgumentException.class, () -> Key.of()), "at least one name");
        assertMessageContains(assertThrows(IllegalArgumentException.class, () -> Key.of("a", "")), "non-empty", "empty string");
        assertMessageContains(assertThrows(IllegalArgumentException.class, () -> Key.of("a", 3)), "got Integer 3");
        assertMessageContains(assertThrows(IllegalArgumentException.class, () -> Key.of("a", (Object) null)), "got null");
        assertMessageContains(assertThrows(IllegalArgumentException.class, () -> Key.parse("a..b", ".")), "empty name");
    }

    @Test
    void joinAndParseRoundTrip() {
        Property.forAll("key join/parse round trip", 60, gen -> {
            int n = gen.intIn(1, 4);
            Object[] parts = new Object[n];
            for (int i = 0; i < n; i++) parts[i] = gen.oneOf("a", "obs", "next", "r2", "x_y");
            Key k = Key.of(parts);
            gen.note("key", k);
            assertEquals(k, Key.parse(k.join("."), "."));
            assertEquals(n, k.size());
        });
    }
}
