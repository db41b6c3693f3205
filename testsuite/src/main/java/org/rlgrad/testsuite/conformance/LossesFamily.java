package org.rlgrad.testsuite.conformance;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.random.ReplayedDraws;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.losses.LossModule;
import org.rlgrad.losses.LossOutputs;

/**
 * {@code losses.json} (FORMAT-losses.md): one loss call per case. The case's loss class picks a
 * {@link LossAdapter} (none: the case fails as unsupported, naming the issue that brings it); the
 * adapter builds the loss over the case's networks, the case's target weights are loaded, the
 * recorded draws are replayed, and the loss runs on the batch. A case passes when, at the case's
 * tolerance (default relative 1e-9, absolute 1e-11):
 * <ol>
 *   <li>every entry of {@code expected.outputs} matches the output, and the output's loss entries
 *       are exactly {@code expected.loss_keys};</li>
 *   <li>the sum of the loss entries matches {@code total_loss}, and its gradient with respect to
 *       every layer of every network matches {@code grads} (and {@code loss_parameter_grads});</li>
 *   <li>every entry of {@code written_to_batch} (except intermediate policy outputs) is in the
 *       batch with the expected value, and {@code state_after} matches;</li>
 *   <li>every recorded draw was consumed.</li>
 * </ol>
 */
public final class LossesFamily implements Family {
    /** FORMAT-losses.md section 1. */
    public static final Tolerance DEFAULT_TOLERANCE = new Tolerance(1e-9, 1e-11);

    @Override public String name() { return "losses"; }
    @Override public String fileName() { return "losses.json"; }
    @Override public String format() { return "rlgrad-loss-vectors"; }

    @Override
    public Optional<String> run(Map<String, Object> header, Map<String, Object> testCase) {
        String lossClass = JsonValues.string(testCase.get("loss"), "loss");
        Optional<LossAdapter> adapter = LossAdapters.forLoss(lossClass);
        if (adapter.isEmpty()) return Optional.of(LossAdapters.unsupported(lossClass));
        Tolerance tolerance = Tolerance.read(testCase.get("tolerance"), "tolerance", DEFAULT_TOLERANCE);
        LossCase c = LossCase.decode(testCase);
        return check(adapter.get(), c, tolerance);
    }

    /** Runs {@code c} with {@code adapter} and lists what differs (empty: passed). */
    static Optional<String> check(LossAdapter adapter, LossCase c, Tolerance tolerance) {
        ReplayedDraws draws = c.replay();
        LossModule loss = adapter.build(c, draws);
        adapter.loadTargets(loss, c);
        TensorDict batch = c.batch();
        TensorDict out = loss.forward(batch);
        List<String> problems = new ArrayList<>();
        if (draws.used() != c.randomDraws().size()) {
            problems.add("random draws: the loss consumed " + draws.used() + " of the " + c.randomDraws().size() + " recorded");
        }

        Map<String, Object> expected = c.expected();
        compareOutputs(List.of(), JsonValues.object(expected.get("outputs"), "expected.outputs"), out, tolerance, problems);
        List<String> wantKeys = new ArrayList<>();
        for (Object k : JsonValues.list(expected.get("loss_keys"), "expected.loss_keys")) wantKeys.add(JsonValues.string(k, "expected.loss_keys[]"));
        List<String> gotKeys = LossOutputs.lossKeys(out).stream().map(Key::first).toList();
        if (!new LinkedHashSet<>(gotKeys).equals(new LinkedHashSet<>(wantKeys))) problems.add("loss keys " + gotKeys + ", expected " + wantKeys);

        Tensor total = LossOutputs.totalLoss(out);
        double wantTotal = JsonValues.number(expected.get("total_loss"), "expected.total_loss");
        if (!Comparison.close(total.item(), wantTotal, tolerance)) problems.add("total_loss " + total.item() + ", expected " + wantTotal);
        problems.addAll(gradients(adapter, loss, c, total, tolerance));

        for (Map.Entry<String, Object> e : JsonValues.objectOrEmpty(expected.get("written_to_batch"), "expected.written_to_batch").entrySet()) {
            if (adapter.ignoredWrites().contains(Key.parse(e.getKey(), "/").last())) continue;
            Tensor got = batch.get(Key.parse(e.getKey(), "/"), null);
            Comparison.compare("written " + e.getKey(), got == null ? null : got.detach(), VectorTensors.decode(e.getValue(), "expected.written_to_batch." + e.getKey()),
                    tolerance).ifPresent(problems::add);
        }
        Map<String, Tensor> state = adapter.state(loss);
        for (Map.Entry<String, Object> e : JsonValues.objectOrEmpty(expected.get("state_after"), "expected.state_after").entrySet()) {
            Tensor got = state.get(e.getKey());
            Comparison.compare("state_after " + e.getKey(), got == null ? null : got.detach(), VectorTensors.decode(e.getValue(), "expected.state_after." + e.getKey()),
                    tolerance).ifPresent(problems::add);
        }
        if (problems.isEmpty()) return Optional.empty();
        return Optional.of(String.join("; ", problems.subList(0, Math.min(3, problems.size()))) + (problems.size() > 3 ? "; and " + (problems.size() - 3) + " more" : ""));
    }

    /**
     * Compares every expected output under {@code path}: a tensor with the output's entry there, a
     * nested map (a sub-dict such as composite PPO's {@code composite_entropy}) entry by entry.
     */
    private static void compareOutputs(List<String> path, Map<String, Object> expected, TensorDict out, Tolerance tolerance, List<String> problems) {
        for (Map.Entry<String, Object> e : expected.entrySet()) {
            List<String> at = new ArrayList<>(path);
            at.add(e.getKey());
            String name = String.join("/", at);
            if (!VectorTensors.isTensor(e.getValue())) {
                compareOutputs(at, JsonValues.object(e.getValue(), "expected.outputs." + name), out, tolerance, problems);
                continue;
            }
            Tensor got = out.find(Key.of(at)) instanceof Tensor t ? t : null;
            Comparison.compare("output " + name, got == null ? null : got.detach(), VectorTensors.decode(e.getValue(), "expected.outputs." + name), tolerance)
                    .ifPresent(problems::add);
        }
    }

    /** One gradient the case lists: its name, the expected tensor and where the computed one is read. */
    private record WantedGrad(String what, Tensor expected, LossAdapter.GradSource source) {}

    private static List<String> gradients(LossAdapter adapter, LossModule loss, LossCase c, Tensor total, Tolerance tolerance) {
        Map<String, Object> expected = c.expected();
        List<WantedGrad> wanted = new ArrayList<>();
        for (Map.Entry<String, Object> e : JsonValues.objectOrEmpty(expected.get("grads"), "expected.grads").entrySet()) {
            String net = e.getKey();
            List<Object> members = e.getValue() instanceof List<?> l ? new ArrayList<>(l) : List.of(e.getValue());
            for (int m = 0; m < members.size(); m++) {
                String mw = "expected.grads." + net + (e.getValue() instanceof List<?> ? "[" + m + "]" : "");
                List<Object> layers = JsonValues.list(JsonValues.object(members.get(m), mw).get("layers"), mw + ".layers");
                for (int i = 0; i < layers.size(); i++) {
                    Map<String, Object> layer = JsonValues.object(layers.get(i), mw + ".layers[" + i + "]");
                    for (String which : List.of("weight", "bias")) {
                        String what = "grad " + net + (e.getValue() instanceof List<?> ? "[" + m + "]" : "") + ".layers[" + i + "]." + which;
                        wanted.add(new WantedGrad(what, VectorTensors.decode(layer.get(which), mw + ".layers[" + i + "]." + which),
                                adapter.gradSource(loss, c, net, m, i, which)));
                    }
                }
            }
        }
        Map<String, Tensor> lossParams = adapter.lossParameters(loss);
        for (Map.Entry<String, Object> e : JsonValues.objectOrEmpty(expected.get("loss_parameter_grads"), "expected.loss_parameter_grads").entrySet()) {
            Tensor leaf = lossParams.get(e.getKey());
            if (leaf == null) throw new IllegalStateException("the adapter exposes no loss parameter '" + e.getKey() + "'; it has " + lossParams.keySet());
            wanted.add(new WantedGrad("loss_parameter_grad " + e.getKey(), VectorTensors.decode(e.getValue(), "expected.loss_parameter_grads." + e.getKey()),
                    new LossAdapter.GradSource(leaf, -1)));
        }

        // One backward pass over the distinct trainable leaves; a leaf the total does not depend on gets zeros.
        Map<Tensor, Integer> index = new IdentityHashMap<>();
        List<Tensor> leaves = new ArrayList<>();
        for (WantedGrad w : wanted) {
            Tensor leaf = w.source().leaf();
            if (leaf.requiresGrad() && !index.containsKey(leaf)) {
                index.put(leaf, leaves.size());
                leaves.add(leaf);
            }
        }
        List<Tensor> grads = total.requiresGrad() && !leaves.isEmpty()
                ? Autograd.grad(List.of(total), leaves, null, false, false, true) : leaves.stream().map(Tensor::zerosLike).toList();
        List<String> problems = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (WantedGrad w : wanted) {
            if (!seen.add(w.what())) continue;
            Integer at = index.get(w.source().leaf());
            Tensor g = at == null ? Tensor.zerosLike(w.source().leaf()) : grads.get(at);
            if (w.source().member() >= 0) g = g.select(0, w.source().member());
            Comparison.compare(w.what(), g.detach(), w.expected(), tolerance).ifPresent(problems::add);
        }
        return problems;
    }
}
