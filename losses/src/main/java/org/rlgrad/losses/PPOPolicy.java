package org.rlgrad.losses;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rlgrad.engine.distributions.CompositeDistribution;
import org.rlgrad.engine.distributions.Distribution;
import org.rlgrad.engine.distributions.KL;
import org.rlgrad.engine.distributions.MonteCarloEntropy;
import org.rlgrad.engine.modules.Parameters;
import org.rlgrad.engine.modules.ProbabilisticTensorDictModule;
import org.rlgrad.engine.modules.ProbabilisticTensorDictSequential;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * The stochastic actor of the PPO losses (spec losses.md §2.17), one distribution or several
 * heads (a {@link CompositeDistribution}), and what PPO asks of it: the log-weight of the stored
 * actions, the entropy, and (KL-penalty PPO) the divergence from the behaviour policy.
 *
 * <p><b>Heads.</b> A composite actor built with aggregation off (the default) has one action and
 * one log-probability entry per head, each of the head's own shape (an element-wise Normal head
 * of {@code [*B, n_agents, f0]}, a Categorical head of {@code [*B]}). Every quantity over heads is
 * summed over each head's dims beyond the batch {@code *B} (the advantage's leading dims), then
 * over heads. Built under {@link CompositeDistribution#aggregateProbabilities} the actor stores
 * one summed log-probability and the loss reads that one entry.
 */
final class PPOPolicy {
    /** The actor's distribution on some data: one of the two is set. */
    record Dist(Distribution single, CompositeDistribution composite) {}

    /**
     * The entropy: {@code perHead} (a dict of {@code [*B, 1, ...]} tensors named
     * {@code <leaf>_entropy}, or the log-prob keys on the Monte-Carlo path) for a composite actor
     * without aggregation, else one tensor {@code [*B, 1]}; {@code total} is always the sum
     * over heads and elements, {@code [*B, 1]}.
     */
    record Entropy(Tensor total, TensorDict perHead) {}

    private final String lossName;
    private final ProbabilisticTensorDictSequential actor;
    private final LinkedHashMap<String, Key> heads;
    private final boolean aggregated;

    PPOPolicy(String lossName, ProbabilisticTensorDictSequential actor) {
        this.lossName = lossName;
        this.actor = actor;
        ProbabilisticTensorDictModule last = actor.probabilisticModule();
        this.heads = last.isComposite() ? new LinkedHashMap<>(last.headSampleKeys()) : null;
        this.aggregated = last.isComposite() && last.aggregatesLogProbabilities();
    }

    ProbabilisticTensorDictSequential actor() { return actor; }

    boolean composite() { return heads != null; }

    /** A composite actor built under log-prob aggregation: one summed log-probability entry. */
    boolean aggregated() { return aggregated; }

    /** Head names, in order (composite only). */
    List<String> headNames() { return List.copyOf(heads.keySet()); }

    /** Each head's sample key, in head order (composite only). */
    List<Key> headSampleKeys() { return List.copyOf(heads.values()); }

    // ------------------------------------------------------------------ distributions

    /** The actor's distribution on a shallow copy of {@code td} with {@code params} in place of its own tensors. */
    Dist on(TensorDict params, TensorDict td) {
        TensorDict work = td.copy();
        return actor.functionalCall(Parameters.toMap(params),
                () -> composite() ? new Dist(null, actor.getCompositeDist(work)) : new Dist(actor.getDist(work), null));
    }

    /**
     * The behaviour policy rebuilt from the distribution inputs stored in {@code td} (the
     * actor's distribution keys, e.g. {@code loc} and {@code scale}, or the composite's per-head
     * parameter dict); missing ones are an error naming what was expected.
     */
    Dist stored(TensorDict td) {
        ProbabilisticTensorDictModule last = actor.probabilisticModule();
        List<Key> missing = new ArrayList<>();
        for (Key k : last.inKeys()) if (td.find(k) == null) missing.add(k);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(lossName + ": the parameters of the behaviour policy's distribution were not found: expected "
                    + last.inKeys() + " (the actor's distribution inputs, as stored when the data was collected), missing " + missing
                    + "; the input holds " + td.keys(true, true));
        }
        try {
            return composite() ? new Dist(null, last.getCompositeDist(td)) : new Dist(last.getDist(td), null);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IllegalArgumentException(lossName + ": the stored parameters of the behaviour policy's distribution do not build it: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ log-weight

    /**
     * {@code lw = log π_new(a) − log π_old(a)}, {@code [*B, 1]}: one distribution, or the sum over
     * heads and their elements beyond {@code *B}. {@code actionKeys} and {@code logProbKeys} are
     * one key each for a single distribution, one per head for a composite (one log-prob key
     * with aggregation). Stored actions and log-probabilities must not require grad.
     */
    Tensor logWeight(Dist d, TensorDict td, List<Key> actionKeys, List<Key> logProbKeys, Key singleLogProbKey, int[] batch) {
        if (!composite()) {
            Tensor action = storedAction(td, actionKeys.get(0));
            Tensor old = storedLogProb(td, logProbKeys.get(0), "the stored log-probability of the action (the behaviour policy's)");
            Tensor lp = d.single().logProb(action);
            sameShape(lp, old, logProbKeys.get(0), "the actor's log-probability of " + actionKeys.get(0));
            return lp.sub(old).unsqueeze(-1);
        }
        CompositeDistribution c = d.composite();
        List<String> names = headNames();
        if (aggregated) {
            Object entry = td.find(logProbKeys.get(0));
            if (entry instanceof TensorDict) {
                throw new IllegalArgumentException(lossName + ": the actor aggregates its heads' log-probabilities (built under "
                        + "CompositeDistribution.aggregateProbabilities(true)), so expected one summed log-probability tensor at " + logProbKeys.get(0)
                        + ", got a dict of entries " + ((TensorDict) entry).keys(true, true));
            }
            Tensor old = storedLogProb(td, logProbKeys.get(0), "the stored summed log-probability of the heads " + headSampleKeys());
            LinkedHashMap<String, Tensor> actions = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) actions.put(names.get(i), storedAction(td, actionKeys.get(i)));
            Tensor lp = c.logProbSum(actions);
            sameShape(lp, old, logProbKeys.get(0), "the sum over heads of each head's log-probability");
            return lp.sub(old).unsqueeze(-1);
        }
        checkPerHeadEntries(td, logProbKeys, singleLogProbKey);
        Tensor lw = null;
        for (int i = 0; i < names.size(); i++) {
            Tensor action = storedAction(td, actionKeys.get(i));
            Tensor old = storedLogProb(td, logProbKeys.get(i), "the stored log-probability of head \"" + names.get(i) + "\"");
            Tensor lp = c.head(names.get(i)).logProb(action);
            sameShape(lp, old, logProbKeys.get(i), "head \"" + names.get(i) + "\"'s log-probability of its action " + actionKeys.get(i));
            Tensor term = sumBeyond(lp.sub(old), batch, "the log-weight of head \"" + names.get(i) + "\"");
            lw = lw == null ? term : lw.add(term);
        }
        return lw.unsqueeze(-1);
    }

    /** A composite policy needs one stored log-probability per head: a missing one is an error that lists them all. */
    private void checkPerHeadEntries(TensorDict td, List<Key> logProbKeys, Key singleLogProbKey) {
        List<Key> missing = new ArrayList<>();
        for (Key k : logProbKeys) if (!(td.find(k) instanceof Tensor)) missing.add(k);
        if (missing.isEmpty()) return;
        StringBuilder m = new StringBuilder(lossName + ": the actor is composite with heads " + headNames() + ", so expected the behaviour policy's "
                + "log-probability of each head, at " + logProbKeys + " (one per head, each of the head's own shape); missing " + missing);
        for (Key single : List.of(singleLogProbKey, ProbabilisticTensorDictModule.AGGREGATED_LOG_PROB_KEY)) {
            if (td.find(single) instanceof Tensor t) {
                m.append("; the input holds one tensor at ").append(single).append(" of shape ").append(Shape.format(t.shapeRef()))
                        .append(", but a single log-probability cannot be split into heads (store the per-head entries, or build the actor under "
                                + "CompositeDistribution.aggregateProbabilities(true) to use one summed log-probability)");
                break;
            }
        }
        m.append("; the input holds ").append(td.keys(true, true));
        throw new IllegalArgumentException(m.toString());
    }

    private Tensor storedAction(TensorDict td, Key key) {
        Object v = td.find(key);
        if (!(v instanceof Tensor action)) {
            throw new IllegalArgumentException(lossName + ": the input has no action entry " + key + "; it holds " + td.keys(true, true));
        }
        if (action.requiresGrad()) throw new IllegalArgumentException(lossName + ": the stored action " + key + " requires grad; store it detached");
        return action;
    }

    private Tensor storedLogProb(TensorDict td, Key key, String what) {
        Object v = td.find(key);
        if (!(v instanceof Tensor old)) {
            throw new IllegalArgumentException(lossName + ": the input has no entry " + key + ", " + what + "; it holds " + td.keys(true, true));
        }
        if (old.requiresGrad()) {
            throw new IllegalArgumentException(lossName + ": the stored log-probability " + key + " requires grad; it must come from the behaviour policy, "
                    + "detached");
        }
        return old;
    }

    private void sameShape(Tensor lp, Tensor old, Key key, String what) {
        if (!Arrays.equals(lp.shapeRef(), old.shapeRef())) {
            throw new IllegalArgumentException(lossName + ": the stored log-probability " + key + " has shape " + Shape.format(old.shapeRef()) + ", expected "
                    + Shape.format(lp.shapeRef()) + ", the shape of " + what);
        }
    }

    /** {@code t} summed over its dims beyond the leading {@code batch} dims, which it must start with. */
    private Tensor sumBeyond(Tensor t, int[] batch, String what) {
        if (t.dim() < batch.length || !Arrays.equals(Arrays.copyOf(t.shapeRef(), batch.length), batch)) {
            throw new IllegalArgumentException(lossName + ": " + what + " has shape " + Shape.format(t.shapeRef()) + ", which does not start with the batch "
                    + Shape.format(batch) + " (the advantage's shape without its trailing dim)");
        }
        if (t.dim() == batch.length) return t;
        int[] dims = new int[t.dim() - batch.length];
        for (int i = 0; i < dims.length; i++) dims[i] = batch.length + i;
        return t.sum(dims, false);
    }

    // ------------------------------------------------------------------ entropy

    /**
     * The entropy (spec §2.17 step 6): the closed form (per head for a composite, heads without
     * one estimated by Monte Carlo over {@code samples} reparameterised draws); when that is not
     * available or not finite everywhere, {@code H = −mean log p(x)} over {@code samples} draws of
     * the whole policy (reparameterised when every part can), named by the log-prob keys.
     */
    Entropy entropy(Dist d, RandomSource random, int samples, List<Key> logProbKeys, int[] batch) {
        if (!composite()) {
            Tensor h = MonteCarloEntropy.closedFormOrEstimate(d.single(), random, samples).unsqueeze(-1);
            return new Entropy(h, null);
        }
        CompositeDistribution c = d.composite();
        List<String> names = headNames();
        List<Tensor> perHead = analyticPerHead(c, random, samples);
        List<Key> keys = new ArrayList<>();
        if (perHead != null) {
            for (Key k : headSampleKeys()) keys.add(k.withLastSuffix("_entropy"));
        } else {
            perHead = new ArrayList<>();
            boolean reparameterised = c.heads().values().stream().allMatch(Distribution::hasRsample);
            for (String name : names) {
                Distribution head = c.head(name);
                Tensor x = reparameterised ? head.rsample(random, samples) : head.sample(random, samples);
                perHead.add(head.logProb(x).mean(0).neg());
            }
            if (!aggregated) keys.addAll(logProbKeys);
        }
        Tensor total = null;
        TensorDict td = aggregated ? null : new TensorDict();
        for (int i = 0; i < names.size(); i++) {
            Tensor h = perHead.get(i);
            Tensor summed = sumBeyond(h, batch, "the entropy of head \"" + names.get(i) + "\"");
            total = total == null ? summed : total.add(summed);
            if (td != null) td.set(keys.get(i), h.unsqueeze(batch.length));
        }
        return new Entropy(total.unsqueeze(-1), td);
    }

    /** Each head's closed-form entropy, or its reparameterised Monte-Carlo estimate; null when a head has neither or one is not finite. */
    private static List<Tensor> analyticPerHead(CompositeDistribution c, RandomSource random, int samples) {
        List<Tensor> out = new ArrayList<>();
        for (Distribution head : c.heads().values()) {
            Tensor h;
            try {
                h = head.entropy();
            } catch (UnsupportedOperationException noClosedForm) {
                if (!head.hasRsample()) return null;
                h = MonteCarloEntropy.estimate(head, random, samples, true);
            }
            if (h.isFinite().all().item() == 0) return null;
            out.add(h);
        }
        return out;
    }

    // ------------------------------------------------------------------ KL(old ‖ new)

    /**
     * {@code KL(π_old ‖ π_new)} of shape {@code *B}: closed form where the engine has it (for a
     * composite: the sum over heads of each head's divergence summed beyond {@code *B}, exact for
     * independent heads), else {@code mean_S (log π_old(x) − log π_new(x))} over {@code samples}
     * draws {@code x ~ π_old} (no gradient through the draws).
     */
    Tensor kl(Dist old, Dist current, RandomSource random, int samples, int[] batch) {
        if (!composite()) {
            try {
                return KL.divergence(old.single(), current.single());
            } catch (UnsupportedOperationException noClosedForm) {
                Tensor x = old.single().sample(random, samples);
                return old.single().logProb(x).sub(current.single().logProb(x)).mean(0);
            }
        }
        List<String> names = headNames();
        try {
            Tensor total = null;
            for (String name : names) {
                Tensor k = sumBeyond(KL.divergence(old.composite().head(name), current.composite().head(name)), batch, "the KL divergence of head \"" + name + "\"");
                total = total == null ? k : total.add(k);
            }
            return total;
        } catch (UnsupportedOperationException noClosedForm) {
            Map<String, Tensor> x = new LinkedHashMap<>();
            for (String name : names) x.put(name, old.composite().head(name).sample(random, samples));
            return old.composite().logProbSum(x).sub(current.composite().logProbSum(x)).mean(0);
        }
    }
}
