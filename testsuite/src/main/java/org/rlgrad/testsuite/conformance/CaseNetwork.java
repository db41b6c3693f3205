package org.rlgrad.testsuite.conformance;

import java.util.ArrayList;
import java.util.List;

/**
 * A named network of a loss case: one {@link CaseMlp}, or an ensemble (a JSON list of networks
 * with identical shapes; member {@code k} is the {@code k}-th critic), FORMAT-losses.md section 2.
 */
public record CaseNetwork(String name, List<CaseMlp> members, boolean ensemble) {
    public CaseNetwork {
        members = List.copyOf(members);
    }

    public static CaseNetwork decode(String name, Object json, String what) {
        if (json instanceof List<?> list) {
            List<CaseMlp> members = new ArrayList<>();
            for (int k = 0; k < list.size(); k++) members.add(CaseMlp.decode(list.get(k), what + "[" + k + "]"));
            if (members.isEmpty()) throw new MalformedCaseException(what + ": an ensemble with no member");
            return new CaseNetwork(name, members, true);
        }
        return new CaseNetwork(name, List.of(CaseMlp.decode(json, what)), false);
    }

    /** Member {@code k} as a network of its own (for wiring an ensemble member by member). */
    public CaseNetwork member(int k) {
        return new CaseNetwork(name, List.of(members.get(k)), false);
    }

    /** The single network; an ensemble is an error naming the network. */
    public CaseMlp single() {
        if (ensemble) throw new MalformedCaseException("network '" + name + "': expected a single network, got an ensemble of " + members.size());
        return members.get(0);
    }
}
