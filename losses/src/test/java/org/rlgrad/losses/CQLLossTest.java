package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.distributions.SampleAndLogProb;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.nn.Linear;
import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.nn.Tanh;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.random.ReplayedDraws;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.Property;
import org.rlgrad.estimators.ValueEstimators;

class CQLLossTest {
    private static final int A = TinyCql.ACTION;
    private static final double GAMMA = 0.99;

    /** The draws of one forward, in the loss's order (spec §2.10), as recorded draws to replay. */
    private static List<ReplayedDraws.Draw> draws(Gen gen, int b, int r, boolean maxQBackup) {
        List<ReplayedDraws.Draw> out = new ArrayList<>();
        out.add(normal(gen, b));
        if (maxQBackup) out.add(normal(gen, b * r));
        out.add(new ReplayedDraws.Draw("Tensor.uniform_", ReplayedDraws.Kind.UNIFORM, gen.uniform(new int[] {b * r, A}, -1, 1)));
        out.add(normal(gen, b * r));
        out.add(normal(gen, b * r));
        out.add(normal(gen, b));
        out.add(normal(gen, b));
        return out;
    }

    private static ReplayedDraws.Draw normal(Gen gen, int rows) {
        return new ReplayedDraws.Draw("Normal.rsample", ReplayedDraws.Kind.STANDARD_NORMAL, gen.uniform(new int[] {rows, A}, -2, 2));
    }

    private static ReplayedDraws replay(ReplayedDraws.Draw... d) {
        return new ReplayedDraws(List.of(d));
    }

    /** Q of {@code critic} at every row of {@code obs} and {@code action}. */
    private static double[] q(TensorDictModuleBase critic, Tensor obs, Tensor action) {
        TensorDict td = new TensorDict(obs.size(0));
        td.set("observation", obs);
        td.set("action", action);
        try (GradMode.Scope g = GradMode.noGrad()) {
            return critic.forward(td).get("state_action_value").toDoubleArray();
        }
    }

    /** π's draw and log-probability at {@code obs} from the recorded standard normals {@code eps} (the actor's own tensors). */
    private static SampleAndLogProb policy(ProbabilisticActor actor, Tensor obs, ReplayedDraws.Draw eps) {
        TensorDict td = new TensorDict(obs.size(0));
        td.set("observation", obs);
        try (GradMode.Scope g = GradMode.noGrad()) {
            return actor.getDist(td).rsampleAndLogProb(replay(eps));
        }
    }

    private static double logSumExp(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) m = Math.max(m, x);
        double s = 0;
        for (double x : v) s += Math.exp(x - m);
        return m + Math.log(s);
    }

    private static void close(double want, double got, String what) {
        assertEquals(want, got, 1e-10 * (1 + Math.abs(want)), what);
    }

    // ------------------------------------------------------------------ the published conservative term

    /**
     * Default (published) CQL(H): for each state, T·w·logsumexp over the 3R importance-corrected
     * candidates, all scored at that state, minus w·Q(s, a); with Lagrange scaled by α′ and shifted
     * by κ. Recomputed here with plain loops from the members' own Q values and the actor's draws.
     */
    @Test
    void theConservativeTermIsTheLogSumExpOverEverySampledActionOfEachState() {
        Property.forAll("cql published conservative term", 12, gen -> {
            int b = gen.intIn(1, 4), r = gen.intIn(1, 4);
            double t = gen.uniform(0.5, 3), w = gen.uniform(0.2, 2), kappa = gen.uniform(-1, 3), logAlphaPrime = gen.uniform(-1, 1);
            boolean lagrange = gen.bool();
            ProbabilisticActor actor = TinyCql.actor(gen.intIn(0, 1000));
            List<TensorDictModuleBase> critics = TinyCql.critics(gen.intIn(1001, 2000));
            CQLLoss loss = CQLLoss.builder(actor, critics).numRandom(r).temperature(t).minQWeight(w).withLagrange(lagrange).lagrangeThresh(kappa)
                    .targetEntropy(-2.0).build();
            if (lagrange) {
                try (GradMode.Scope g = GradMode.noGrad()) {
                    loss.logAlphaPrime().fill_(logAlphaPrime);
                }
            }
            List<ReplayedDraws.Draw> d = draws(gen, b, r, false);
            loss.setRandomSource(new ReplayedDraws(d));
            TensorDict td = TinyCql.batch(gen, b);
            TensorDict out = loss.forward(td);

            Tensor s = td.get("observation"), sNext = td.get(Key.of("next", "observation"));
            Tensor sRep = s.repeatInterleave(r, 0), sNextRep = sNext.repeatInterleave(r, 0);
            Tensor uniform = d.get(1).value();
            SampleAndLogProb cur = policy(actor, sRep, d.get(2)), nxt = policy(actor, sNextRep, d.get(3));
            double[] lc = cur.logProb().toDoubleArray(), ln = nxt.logProb().toDoubleArray();
            double rho = A * Math.log(0.5);
            double[][] gaps = new double[2][b];
            for (int i = 0; i < 2; i++) {
                TensorDictModuleBase critic = critics.get(i);
                double[] qr = q(critic, sRep, uniform), qc = q(critic, sRep, cur.sample()), qn = q(critic, sRep, nxt.sample());
                double[] qData = q(critic, s, td.get("action"));
                for (int k = 0; k < b; k++) {
                    double[] cand = new double[3 * r];
                    for (int j = 0; j < r; j++) {
                        int row = k * r + j;
                        cand[j] = (qr[row] - rho) / t;
                        cand[r + j] = (qc[row] - lc[row]) / t;
                        cand[2 * r + j] = (qn[row] - ln[row]) / t;
                    }
                    gaps[i][k] = t * w * logSumExp(cand) - w * qData[k];
                }
            }
            double alphaPrime = lagrange ? Math.exp(logAlphaPrime) : 1.0, shift = lagrange ? 2 * kappa : 0.0;
            double sum = 0, mean1 = 0, mean2 = 0;
            for (int k = 0; k < b; k++) {
                sum += alphaPrime * (gaps[0][k] + gaps[1][k] - shift);
                mean1 += gaps[0][k] / b;
                mean2 += gaps[1][k] / b;
            }
            close(sum / b, out.get("loss_cql").item(), "loss_cql");
            assertArrayEquals(new int[] {b}, td.get("cql_q1_loss").shapeRef(), "one gap per state");
            for (int k = 0; k < b; k++) {
                close(gaps[0][k], td.get("cql_q1_loss").toDoubleArray()[k], "cql_q1_loss[" + k + "]");
                close(gaps[1][k], td.get("cql_q2_loss").toDoubleArray()[k], "cql_q2_loss[" + k + "]");
            }
            if (lagrange) close(-0.5 * alphaPrime * ((mean1 - kappa) + (mean2 - kappa)), out.get("loss_alpha_prime").item(), "loss_alpha_prime");
            else assertFalse(out.contains("loss_alpha_prime"));
            assertEquals(d.size(), ((ReplayedDraws) loss.randomSource()).used(), "every draw consumed");
        });
    }

    /** The Q target of the three backups (spec §2.10 step 1), recomputed from the members (a fresh loss's targets equal them). */
    @Test
    void theTargetFollowsTheBackupOptions() {
        Property.forAll("cql target", 12, gen -> {
            int b = gen.intIn(1, 5), r = gen.intIn(1, 4);
            boolean maxQBackup = gen.bool(), deterministic = gen.bool();
            double alphaInit = gen.uniform(0.2, 2);
            String distance = gen.oneOf("l2", "smooth_l1", "l1");
            ProbabilisticActor actor = TinyCql.actor(gen.intIn(0, 1000));
            List<TensorDictModuleBase> critics = TinyCql.critics(gen.intIn(1001, 2000));
            CQLLoss loss = CQLLoss.builder(actor, critics).numRandom(r).maxQBackup(maxQBackup).deterministicBackup(deterministic).alphaInit(alphaInit)
                    .lossFunction(distance).targetEntropy(-2.0).build();
            List<ReplayedDraws.Draw> d = draws(gen, b, r, maxQBackup);
            loss.setRandomSource(new ReplayedDraws(d));
            TensorDict td = TinyCql.batch(gen, b);
            TensorDict out = loss.forward(td);

            Tensor sNext = td.get(Key.of("next", "observation"));
            double[] v = new double[b];
            if (!maxQBackup) {
                SampleAndLogProb next = policy(actor, sNext, d.get(0));
                double[] q0 = q(critics.get(0), sNext, next.sample()), q1 = q(critics.get(1), sNext, next.sample());
                double[] lp = next.logProb().toDoubleArray();
                for (int k = 0; k < b; k++) v[k] = Math.min(q0[k], q1[k]) - (deterministic ? 0 : alphaInit * lp[k]);
            } else {
                Tensor rep = sNext.repeatInterleave(r, 0);
                SampleAndLogProb next = policy(actor, rep, d.get(1));
                double[] q0 = q(critics.get(0), rep, next.sample()), q1 = q(critics.get(1), rep, next.sample());
                for (int k = 0; k < b; k++) {
                    double m0 = Double.NEGATIVE_INFINITY, m1 = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < r; j++) {
                        m0 = Math.max(m0, q0[k * r + j]);
                        m1 = Math.max(m1, q1[k * r + j]);
                    }
                    v[k] = Math.min(m0, m1);
                }
            }
            double[] reward = td.get(Key.of("next", "reward")).toDoubleArray();
            boolean[] term = td.get(Key.of("next", "terminated")).toBooleanArray();
            double[][] pred = {q(critics.get(0), td.get("observation"), td.get("action")), q(critics.get(1), td.get("observation"), td.get("action"))};
            double lossQ = 0;
            for (int k = 0; k < b; k++) {
                double y = reward[k] + (term[k] ? 0 : GAMMA * v[k]);
                double e0 = pred[0][k] - y, e1 = pred[1][k] - y;
                close(Math.max(e0 * e0, e1 * e1), td.get("td_error").toDoubleArray()[k], "td_error[" + k + "]");
                close(pred[0][k], td.get("pred_q1").toDoubleArray()[k], "pred_q1");
                close(pred[1][k], td.get("pred_q2").toDoubleArray()[k], "pred_q2");
                lossQ += (distance(distance, e0) + distance(distance, e1)) / b;
            }
            close(lossQ, out.get("loss_qvalue").item(), "loss_qvalue");
            assertEquals(d.size(), ((ReplayedDraws) loss.randomSource()).used(), "max_q_backup draws one more [B·R, A] batch");
        });
    }

    private static double distance(String kind, double z) {
        return switch (kind) {
            case "l2" -> z * z;
            case "l1" -> Math.abs(z);
            default -> Math.abs(z) < 1 ? 0.5 * z * z : Math.abs(z) - 0.5;
        };
    }

    @Test
    void referenceCompatReproducesTheBroadcastAndDiffersFromThePublishedTerm() {
        Gen gen = Gen.seeded(21);
        int b = 3, r = 2;
        List<ReplayedDraws.Draw> d = draws(gen, b, r, false);
        TensorDict td = TinyCql.batch(gen, b);
        CQLLoss published = CQLLoss.builder(TinyCql.actor(1), TinyCql.critics(2)).numRandom(r).build();
        CQLLoss compat = CQLLoss.builder(TinyCql.actor(1), TinyCql.critics(2)).numRandom(r).referenceCompat(true).build();
        published.setRandomSource(new ReplayedDraws(d));
        compat.setRandomSource(new ReplayedDraws(d));
        TensorDict tdPublished = td.copy(), tdCompat = td.copy();
        double p = published.forward(tdPublished).get("loss_cql").item(), c = compat.forward(tdCompat).get("loss_cql").item();
        assertArrayEquals(new int[] {b}, tdPublished.get("cql_q1_loss").shapeRef());
        assertArrayEquals(new int[] {b, b * r}, tdCompat.get("cql_q1_loss").shapeRef(), "TorchRL's [B, B·R] broadcast");
        assertTrue(Math.abs(p - c) > 1e-3, "the two conservative terms differ: published " + p + ", compat " + c);
        // Everything else is the same computation on the same draws.
        assertEquals(tdPublished.get("td_error").toDoubleArray()[0], tdCompat.get("td_error").toDoubleArray()[0], 1e-14);
    }

    // ------------------------------------------------------------------ gradients

    /** Gradient of one output entry for each group of parameters: actor, critics, log_alpha, log_alpha_prime (zeros where unused). */
    private static Map<String, Double> gradNorms(CQLLoss loss, List<Tensor> actorParams, Tensor entry) {
        List<Tensor> critics = new ArrayList<>();
        for (Tensor t : loss.params(CQLLoss.QVALUE).leaves().values()) if (t.requiresGrad()) critics.add(t);
        List<Tensor> inputs = new ArrayList<>(actorParams);
        inputs.addAll(critics);
        inputs.add(loss.logAlpha());
        if (loss.withLagrange()) inputs.add(loss.logAlphaPrime());
        List<Tensor> g = Autograd.grad(List.of(entry), inputs, null, false, true, true);
        Map<String, Double> out = new LinkedHashMap<>();
        int at = 0;
        out.put("actor", norm(g.subList(at, at += actorParams.size())));
        out.put("critics", norm(g.subList(at, at += critics.size())));
        // each member separately: slice k of every stacked leaf
        for (int k = 0; k < 2; k++) {
            double s = 0;
            for (Tensor x : g.subList(actorParams.size(), actorParams.size() + critics.size())) s += x.select(0, k).abs().sum().item();
            out.put("critic" + k, s);
        }
        out.put("log_alpha", norm(g.subList(at, at += 1)));
        out.put("log_alpha_prime", loss.withLagrange() ? norm(g.subList(at, at + 1)) : 0.0);
        return out;
    }

    private static double norm(List<Tensor> grads) {
        double s = 0;
        for (Tensor t : grads) s += t.abs().sum().item();
        return s;
    }

    private static void assertReaches(Map<String, Double> g, String entry, String... groups) {
        List<String> want = List.of(groups);
        for (Map.Entry<String, Double> e : g.entrySet()) {
            String group = e.getKey();
            boolean expected = want.contains(group) || (group.startsWith("critic") && want.contains("critics"));
            if (expected) assertTrue(e.getValue() > 0, entry + " must reach " + group + " (gradients " + g + ")");
            else assertEquals(0.0, e.getValue(), entry + " must not reach " + group + " (gradients " + g + ")");
        }
    }

    /** Spec §2.10 "Gradient" per loss entry; loss_alpha_prime reaches the critics only with referenceCompat (DECISIONS.md rule 3). */
    @Test
    void gradientsReachExactlyTheParametersTheSpecSaysAndNeverATarget() {
        for (boolean compat : new boolean[] {false, true}) {
            ProbabilisticActor actor = TinyCql.actor(3);
            CQLLoss loss = CQLLoss.builder(actor, TinyCql.critics(4)).numRandom(3).withLagrange(true).lagrangeThresh(1.0).referenceCompat(compat).build();
            SoftUpdate.withTau(loss, 0.1);
            loss.setRandomSource(new Generator(5));
            TensorDict out = loss.forward(TinyCql.batch(Gen.seeded(6), 5));
            List<Tensor> actorParams = actor.parameters();
            String mode = compat ? "compat: " : "published: ";
            assertReaches(gradNorms(loss, actorParams, out.get("loss_actor")), mode + "loss_actor", "actor");
            assertReaches(gradNorms(loss, actorParams, out.get("loss_actor_bc")), mode + "loss_actor_bc", "actor");
            assertReaches(gradNorms(loss, actorParams, out.get("loss_qvalue")), mode + "loss_qvalue", "critics");
            assertReaches(gradNorms(loss, actorParams, out.get("loss_cql")), mode + "loss_cql", "critics");
            assertReaches(gradNorms(loss, actorParams, out.get("loss_alpha")), mode + "loss_alpha", "log_alpha");
            if (compat) assertReaches(gradNorms(loss, actorParams, out.get("loss_alpha_prime")), mode + "loss_alpha_prime", "log_alpha_prime", "critics");
            else assertReaches(gradNorms(loss, actorParams, out.get("loss_alpha_prime")), mode + "loss_alpha_prime", "log_alpha_prime");
            for (String metric : List.of("alpha", "entropy")) assertFalse(out.get(metric).requiresGrad(), metric + " is detached");

            for (Tensor t : loss.targetParams(CQLLoss.QVALUE).leaves().values()) {
                assertFalse(t.requiresGrad(), "a target tensor never requires grad");
                assertTrue(loss.parameters().stream().noneMatch(p -> p.storage() == t.storage()), "the critic targets are copies");
            }
            assertTrue(loss.parameters().stream().anyMatch(p -> p == loss.logAlpha()));
            assertTrue(loss.parameters().stream().anyMatch(p -> p == loss.logAlphaPrime()));
            assertTrue(actorParams.stream().allMatch(p -> loss.parameters().stream().anyMatch(q -> q == p)), "the loss trains the actor's own tensors");
        }
    }

    /** A trunk shared by the actor and the critic is detached inside the critics (spec §1.11: CQL always does it). */
    @Test
    void aTrunkSharedWithTheActorIsTrainedOnlyByTheActorLosses() {
        Generator g = new Generator(8);
        Linear trunk = new Linear(TinyCql.OBS, TinyCql.HIDDEN, true, DType.FLOAT64, g);
        ProbabilisticActor actor = TinyCql.actor(new Sequential(trunk, new Tanh(), new Linear(TinyCql.HIDDEN, 2 * A, true, DType.FLOAT64, g)));
        CQLLoss loss = CQLLoss.builder(actor, TinyCql.criticOnTrunk(trunk, 9)).generator(new Generator(10)).numRandom(2).build();
        loss.setRandomSource(new Generator(11));
        TensorDict out = loss.forward(TinyCql.batch(Gen.seeded(12), 4));
        List<Tensor> shared = List.of(trunk.weight(), trunk.bias());
        List<Tensor> critic = Autograd.grad(List.of(out.get("loss_qvalue").add(out.get("loss_cql"))), shared, null, false, true, true);
        assertEquals(0.0, norm(critic), "the critic losses do not train the shared trunk");
        List<Tensor> bc = Autograd.grad(List.of(out.get("loss_actor_bc")), shared, null, false, true, true);
        assertTrue(norm(bc) > 0, "the actor's losses do");
        long trainableCriticLeaves = loss.params(CQLLoss.QVALUE).leaves().values().stream().filter(Tensor::requiresGrad).count();
        assertEquals(2, trainableCriticLeaves, "only the critic's own head (weight, bias) is trainable in the ensemble");
    }

    // ------------------------------------------------------------------ keys

    @Test
    void setKeysRenamesEveryEntryEndToEnd() {
        TensorDict td = TinyCql.batch(Gen.seeded(13), 4);
        CQLLoss plain = CQLLoss.builder(TinyCql.actor(14), TinyCql.critics(15)).numRandom(2).build();
        plain.setRandomSource(new Generator(16));
        TensorDict plainOut = plain.forward(td.copy());

        List<TensorDictModuleBase> critics = List.of(TinyCql.critic(15, "act"), TinyCql.critic(16, "act"));
        CQLLoss renamed = CQLLoss.builder(TinyCql.actor(14), critics).numRandom(2).build();
        Map<String, Object> keys = new LinkedHashMap<>();
        keys.put("action", "act");
        keys.put("reward", "rew");
        keys.put("terminated", "term");
        keys.put("priority", Key.of("prio", "err"));
        keys.put("pred_q1", "q_one");
        keys.put("cql_q2_loss", "gap_two");
        renamed.setKeys(keys);
        renamed.setRandomSource(new Generator(16));
        TensorDict moved = td.copy();
        moved.rename("action", "act");
        moved.rename(Key.of("next", "reward"), Key.of("next", "rew"));
        moved.rename(Key.of("next", "terminated"), Key.of("next", "term"));
        TensorDict renamedOut = renamed.forward(moved);
        for (String k : List.of("loss_actor", "loss_actor_bc", "loss_qvalue", "loss_cql", "loss_alpha")) {
            assertEquals(plainOut.get(k).item(), renamedOut.get(k).item(), 1e-12, k);
        }
        assertTrue(moved.contains(Key.of("prio", "err")) && moved.contains("q_one") && moved.contains("gap_two"));
        assertFalse(moved.contains("td_error") || moved.contains("pred_q1") || moved.contains("cql_q2_loss"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> renamed.setKeys("pred_q3", "x"));
        assertTrue(e.getMessage().contains("'pred_q3'") && e.getMessage().contains("cql_q1_loss"), e.getMessage());
    }

    @Test
    void aMissingInputIsAnErrorNamingTheKey() {
        CQLLoss loss = CQLLoss.builder(TinyCql.actor(17), TinyCql.critics(18)).numRandom(2).build();
        TensorDict td = TinyCql.batch(Gen.seeded(19), 3);
        td.remove("action");
        Exception e = assertThrows(RuntimeException.class, () -> loss.forward(td));
        assertTrue(e.getMessage().contains("action") && e.getMessage().contains("observation"), e.getMessage());
        TensorDict noReward = TinyCql.batch(Gen.seeded(19), 3);
        noReward.remove(Key.of("next", "reward"));
        Exception e2 = assertThrows(RuntimeException.class, () -> loss.forward(noReward));
        assertTrue(e2.getMessage().contains("reward"), e2.getMessage());
    }

    // ------------------------------------------------------------------ properties

    /** Row blocks of every draw permuted as the batch is: row i of the shuffled batch sees what row perm[i] saw. */
    private static List<ReplayedDraws.Draw> permuted(List<ReplayedDraws.Draw> draws, int[] perm) {
        List<ReplayedDraws.Draw> out = new ArrayList<>();
        int b = perm.length;
        for (ReplayedDraws.Draw d : draws) {
            int rows = d.value().size(0), block = rows / b;
            long[] idx = new long[rows];
            for (int i = 0; i < b; i++) for (int k = 0; k < block; k++) idx[i * block + k] = (long) perm[i] * block + k;
            out.add(new ReplayedDraws.Draw(d.site(), d.kind(), d.value().indexSelect(0, Tensor.of(idx, rows))));
        }
        return out;
    }

    /** With mean reduction every loss is a mean over states, so shuffling the batch (and its draws alike) changes no loss. */
    @Test
    void lossesAreInvariantToTheOrderOfSamples() {
        Property.forAll("cql order invariance", 10, gen -> {
            int b = gen.intIn(2, 6), r = gen.intIn(1, 3);
            boolean compat = gen.bool(), maxQ = gen.bool(), lagrange = gen.bool();
            long seed = gen.intIn(0, 1000);
            TensorDict td = TinyCql.batch(gen, b);
            List<ReplayedDraws.Draw> d = draws(gen, b, r, maxQ);
            int[] perm = gen.permutation(b);
            long[] idx = new long[b];
            for (int i = 0; i < b; i++) idx[i] = perm[i];
            TensorDict shuffled = td.index(Tensor.of(idx, b));
            TensorDict[] outs = new TensorDict[2];
            for (int run = 0; run < 2; run++) {
                CQLLoss loss = CQLLoss.builder(TinyCql.actor(seed), TinyCql.critics(seed + 1)).numRandom(r).maxQBackup(maxQ).withLagrange(lagrange)
                        .lagrangeThresh(0.5).referenceCompat(compat).build();
                loss.setRandomSource(new ReplayedDraws(run == 0 ? d : permuted(d, perm)));
                outs[run] = loss.forward(run == 0 ? td : shuffled);
            }
            for (Key k : outs[0].keys()) {
                double a = outs[0].get(k).item(), s = outs[1].get(k).item();
                assertEquals(a, s, 1e-11 * (1 + Math.abs(a)), k + " (compat " + compat + ", max_q_backup " + maxQ + ")");
            }
            double[] err = td.get("td_error").toDoubleArray(), errShuffled = shuffled.get("td_error").toDoubleArray();
            for (int i = 0; i < b; i++) assertEquals(err[perm[i]], errShuffled[i], 1e-12);
        });
    }

    /** Rows are repeated along the last batch dim, so a [2, 3] batch gives the numbers of its flattened [6] batch (draws reshaped alike). */
    @Test
    void aBatchWithTwoLeadingDimsGivesTheNumbersOfItsFlattenedBatch() {
        Gen gen = Gen.seeded(35);
        int r = 2;
        for (boolean compat : new boolean[] {false, true}) {
            List<ReplayedDraws.Draw> flat = draws(gen, 6, r, true);
            List<ReplayedDraws.Draw> nested = new ArrayList<>();
            for (ReplayedDraws.Draw d : flat) nested.add(new ReplayedDraws.Draw(d.site(), d.kind(), d.value().reshape(2, d.value().size(0) / 2, A)));
            TensorDict td = TinyCql.batch(gen, 6), td2 = td.copy().reshape(2, 3);
            TensorDict[] outs = new TensorDict[2];
            for (int run = 0; run < 2; run++) {
                CQLLoss loss = CQLLoss.builder(TinyCql.actor(36), TinyCql.critics(37)).numRandom(r).maxQBackup(true).withLagrange(true)
                        .referenceCompat(compat).build();
                loss.setRandomSource(new ReplayedDraws(run == 0 ? flat : nested));
                outs[run] = loss.forward(run == 0 ? td : td2);
            }
            for (Key k : outs[0].keys()) assertEquals(outs[0].get(k).item(), outs[1].get(k).item(), 1e-12, k + " (compat " + compat + ")");
            assertArrayEquals(new int[] {2, 3}, td2.get("td_error").shapeRef());
            assertArrayEquals(td.get("td_error").toDoubleArray(), td2.get("td_error").toDoubleArray(), 1e-12);
        }
    }

    // ------------------------------------------------------------------ options

    @Test
    void reductionsAndScalarOutputMode() {
        Gen gen = Gen.seeded(22);
        int b = 4, r = 2;
        List<ReplayedDraws.Draw> d = draws(gen, b, r, false);
        TensorDict td = TinyCql.batch(gen, b);
        Map<String, TensorDict> outs = new LinkedHashMap<>();
        for (String reduction : List.of("mean", "sum", "none", "none_non_tensor")) {
            CQLLoss.Builder builder = CQLLoss.builder(TinyCql.actor(23), TinyCql.critics(24)).numRandom(r).withLagrange(true);
            if (reduction.equals("none_non_tensor")) builder.reduction("none").scalarOutputMode("non_tensor");
            else builder.reduction(reduction);
            CQLLoss loss = builder.build();
            loss.setRandomSource(new ReplayedDraws(d));
            outs.put(reduction, loss.forward(td.copy()));
        }
        for (String k : List.of("loss_actor", "loss_actor_bc", "loss_qvalue", "loss_cql", "loss_alpha")) {
            Tensor none = outs.get("none").get(k);
            assertArrayEquals(new int[] {b}, none.shapeRef(), k + " per sample with reduction none");
            assertEquals(outs.get("sum").get(k).item(), none.sum().item(), 1e-12, k + ": sum");
            assertEquals(outs.get("mean").get(k).item(), none.mean().item(), 1e-12, k + ": mean");
        }
        assertArrayEquals(new int[0], outs.get("none").get("loss_alpha_prime").shapeRef(), "loss_alpha_prime is a scalar");
        assertFalse(outs.get("none").contains("alpha") || outs.get("none").contains("entropy"), "exclude drops the scalar metrics");
        assertEquals(outs.get("mean").get("alpha").item(), outs.get("none_non_tensor").get("alpha").item());
        assertEquals(outs.get("mean").get("entropy").item(), outs.get("none_non_tensor").get("entropy").item(), 1e-14);
        assertThrows(IllegalArgumentException.class, () -> CQLLoss.builder(TinyCql.actor(1), TinyCql.critics(2)).scalarOutputMode("tensor"));
    }

    @Test
    void deactivatingVmapGivesTheSameNumbers() {
        Gen gen = Gen.seeded(25);
        List<ReplayedDraws.Draw> d = draws(gen, 3, 2, true);
        TensorDict td = TinyCql.batch(gen, 3);
        double[][] totals = new double[2][];
        for (int run = 0; run < 2; run++) {
            CQLLoss loss = CQLLoss.builder(TinyCql.actor(26), TinyCql.critics(27)).numRandom(2).maxQBackup(true).deactivateVmap(run == 1).build();
            assertEquals(run == 1, loss.deactivateVmap());
            loss.setRandomSource(new ReplayedDraws(d));
            TensorDict out = loss.forward(td.copy());
            totals[run] = new double[] {out.get("loss_qvalue").item(), out.get("loss_cql").item(), out.get("loss_actor").item()};
        }
        assertArrayEquals(totals[0], totals[1], 1e-12);
    }

    /** Spec §1.1: the components called alone, in forward's order on the same draws, give forward's numbers and writes. */
    @Test
    void componentsCalledAloneGiveTheForwardNumbers() {
        for (boolean compat : new boolean[] {false, true}) {
            Gen gen = Gen.seeded(compat ? 31 : 30);
            List<ReplayedDraws.Draw> d = draws(gen, 3, 2, false);
            TensorDict td = TinyCql.batch(gen, 3);
            CQLLoss whole = CQLLoss.builder(TinyCql.actor(26), TinyCql.critics(27)).numRandom(2).withLagrange(true).lagrangeThresh(0.5)
                    .referenceCompat(compat).build();
            CQLLoss parts = CQLLoss.builder(TinyCql.actor(26), TinyCql.critics(27)).numRandom(2).withLagrange(true).lagrangeThresh(0.5)
                    .referenceCompat(compat).build();
            whole.setRandomSource(new ReplayedDraws(d));
            ReplayedDraws partDraws = new ReplayedDraws(d);
            parts.setRandomSource(partDraws);
            TensorDict wholeTd = td.copy(), partTd = td.copy();
            TensorDict out = whole.forward(wholeTd);
            LossTerm q = parts.qvalueLoss(partTd);
            LossTerm cql = parts.cqlLoss(partTd);
            LossTerm alphaPrime = parts.alphaPrimeLoss(partTd);
            LossTerm bc = parts.actorBcLoss(partTd);
            LossTerm actor = parts.actorLoss(partTd);
            LossTerm alphaLoss = parts.alphaLoss(partTd, actor.metric("log_prob"));
            partDraws.checkAllUsed();
            close(out.get("loss_qvalue").item(), q.loss().item(), "loss_qvalue");
            close(out.get("loss_cql").item(), cql.loss().item(), "loss_cql");
            close(out.get("loss_alpha_prime").item(), alphaPrime.loss().item(), "loss_alpha_prime");
            close(out.get("loss_actor_bc").item(), bc.loss().item(), "loss_actor_bc");
            close(out.get("loss_actor").item(), actor.loss().item(), "loss_actor");
            close(out.get("loss_alpha").item(), alphaLoss.loss().item(), "loss_alpha");
            close(out.get("entropy").item(), alphaLoss.metric("entropy").item(), "entropy");
            for (String k : List.of("td_error", "pred_q1", "pred_q2", "cql_q1_loss", "cql_q2_loss")) {
                assertArrayEquals(wholeTd.get(k).toDoubleArray(), partTd.get(k).toDoubleArray(), 1e-12, k);
            }
            assertArrayEquals(wholeTd.get("td_error").toDoubleArray(), q.metric("td_error").toDoubleArray(), 1e-12);
        }
        CQLLoss noLagrange = CQLLoss.builder(TinyCql.actor(26), TinyCql.critics(27)).build();
        assertThrows(IllegalStateException.class, () -> noLagrange.alphaPrimeLoss(new TensorDict()));
    }

    /** The targets are the delayed copies: moving them moves the Q loss, not the conservative term. */
    @Test
    void theQTargetReadsTheDelayedCriticCopies() {
        Gen gen = Gen.seeded(28);
        List<ReplayedDraws.Draw> d = draws(gen, 4, 2, false);
        TensorDict td = TinyCql.batch(gen, 4);
        double[][] got = new double[2][];
        for (int run = 0; run < 2; run++) {
            CQLLoss loss = CQLLoss.builder(TinyCql.actor(29), TinyCql.critics(30)).numRandom(2).build();
            if (run == 1) loss.loadTargetParams(CQLLoss.QVALUE, loss.targetParams(CQLLoss.QVALUE).apply(t -> t.add(0.3)));
            loss.setRandomSource(new ReplayedDraws(d));
            TensorDict out = loss.forward(td.copy());
            got[run] = new double[] {out.get("loss_qvalue").item(), out.get("loss_cql").item()};
        }
        assertNotEquals(got[0][0], got[1][0], "the Q loss bootstraps from the target copies");
        assertEquals(got[0][1], got[1][1], 1e-14, "the conservative term uses the online critics");
    }

    @Test
    void alphaTargetEntropyAndEstimators() {
        Gen gen = Gen.seeded(31);
        List<ReplayedDraws.Draw> d = draws(gen, 3, 2, false);
        TensorDict td = TinyCql.batch(gen, 3);
        // loss_alpha = mean(−log_alpha (ℓ + H̄)): two H̄ differ by −log_alpha·ΔH̄.
        double[] lossAlpha = new double[2];
        double[] targets = {-2.0, -5.0};
        for (int i = 0; i < 2; i++) {
            CQLLoss loss = CQLLoss.builder(TinyCql.actor(32), TinyCql.critics(33)).numRandom(2).alphaInit(2.0).targetEntropy(targets[i]).build();
            loss.setRandomSource(new ReplayedDraws(d));
            lossAlpha[i] = loss.forward(td.copy()).get("loss_alpha").item();
        }
        assertEquals(-Math.log(2.0) * (targets[0] - targets[1]), lossAlpha[0] - lossAlpha[1], 1e-12);

        CQLLoss auto = CQLLoss.builder(TinyCql.actor(32), TinyCql.critics(33)).numRandom(2).build();
        assertNull(auto.targetEntropy(), "auto without an action shape waits for the data");
        auto.setRandomSource(new ReplayedDraws(d));
        auto.forward(td.copy());
        assertEquals(-2.0, auto.targetEntropy(), "minus the action's size");
        assertEquals(-6.0, CQLLoss.builder(TinyCql.actor(32), TinyCql.critics(33)).actionShape(2, 3).build().targetEntropy());

        // Bounds clamp log_alpha in place when α is read (spec §1.10).
        CQLLoss bounded = CQLLoss.builder(TinyCql.actor(32), TinyCql.critics(33)).numRandom(2).alphaInit(0.2).minAlpha(0.5).build();
        bounded.setRandomSource(new ReplayedDraws(d));
        assertEquals(0.5, bounded.forward(td.copy()).get("alpha").item(), 1e-15);
        assertEquals(Math.log(0.5), bounded.logAlpha().item(), 1e-15);

        CQLLoss fixed = CQLLoss.builder(TinyCql.actor(32), TinyCql.critics(33)).numRandom(2).fixedAlpha(true).build();
        assertTrue(fixed.parameters().stream().noneMatch(p -> p == fixed.logAlpha()), "a fixed α is not trained");
        fixed.setRandomSource(new ReplayedDraws(d));
        assertFalse(fixed.forward(td.copy()).get("loss_alpha").requiresGrad(), "its loss is reported without gradient");

        CQLLoss loss = CQLLoss.builder(TinyCql.actor(32), TinyCql.critics(33)).build();
        assertEquals(ValueEstimators.TD0, loss.valueEstimatorType());
        loss.makeValueEstimator(ValueEstimators.TDLambda);
        UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class, () -> loss.makeValueEstimator(ValueEstimators.GAE));
        assertTrue(u.getMessage().contains("CQLLoss"), u.getMessage());
        assertThrows(IllegalStateException.class, loss::logAlphaPrime, "no α′ without Lagrange");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CQLLoss.builder(TinyCql.actor(1), List.of(TinyCql.critic(2), TinyCql.critic(3), TinyCql.critic(4))).build());
        assertTrue(e.getMessage().contains("exactly 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CQLLoss.builder(TinyCql.actor(1), TinyCql.critics(2)).numRandom(0).build());

        CQLLoss aliases = CQLLoss.builder(TinyCql.actor(1), TinyCql.critics(2)).delayQvalue(false).build();
        assertFalse(aliases.hasDelayedTarget(CQLLoss.QVALUE), "delay_qvalue=false: the target is the online critics, detached");
        assertFalse(aliases.hasDelayedTarget(CQLLoss.ACTOR));
        assertTrue(CQLLoss.builder(TinyCql.actor(1), TinyCql.critics(2)).delayActor(true).build().hasDelayedTarget(CQLLoss.ACTOR));
    }

    // ------------------------------------------------------------------ training

    /**
     * Offline contextual bandit (every transition terminates): the reward is {@code −(a − f(s))²}
     * with {@code f(s) = 0.5·tanh(s_0 − s_1)} per action dim, the dataset actions are {@code f(s)}
     * plus noise. The critic loss falls and nothing becomes NaN.
     */
    @Test
    void aShortTrainingRunLowersTheCriticLossAndStaysFinite() {
        CQLLoss loss = CQLLoss.builder(TinyCql.actor(40), TinyCql.critics(41)).numRandom(2).lossFunction("l2").withLagrange(true).lagrangeThresh(1.0)
                .build();
        SoftUpdate updater = SoftUpdate.withTau(loss, 0.05);
        loss.setRandomSource(new Generator(42));
        Adam opt = new Adam(loss.parameters(), 3e-3);
        Gen gen = Gen.seeded(43);
        List<Double> q = new ArrayList<>();
        for (int step = 0; step < 100; step++) {
            int n = 16;
            TensorDict td = TinyCql.batch(gen, n);
            double[] obs = td.get("observation").toDoubleArray();
            double[] act = new double[n * A], rew = new double[n];
            for (int i = 0; i < n; i++) {
                double f = 0.5 * Math.tanh(obs[i * TinyCql.OBS] - obs[i * TinyCql.OBS + 1]);
                for (int j = 0; j < A; j++) {
                    act[i * A + j] = Math.max(-0.95, Math.min(0.95, f + 0.1 * gen.uniform(-1, 1)));
                    rew[i] -= (act[i * A + j] - f) * (act[i * A + j] - f);
                }
            }
            td.set("action", Tensor.of(DType.FLOAT64, act, n, A));
            td.set(Key.of("next", "reward"), Tensor.of(DType.FLOAT64, rew, n, 1));
            td.set(Key.of("next", "terminated"), Tensor.of(new boolean[n], n, 1).logicalNot());
            opt.zeroGrad();
            TensorDict out = loss.forward(td);
            Tensor total = LossOutputs.totalLoss(out);
            assertTrue(Double.isFinite(total.item()), "step " + step + ": loss " + total.item());
            total.backward();
            opt.step();
            updater.step();
            q.add(out.get("loss_qvalue").item());
        }
        for (Tensor p : loss.parameters()) assertTrue(p.isFinite().all().item() != 0, "parameters stay finite");
        double first = q.subList(0, 20).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = q.subList(80, 100).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertTrue(last < 0.25 * first, "the critic loss falls: first 20 steps " + first + ", last 20 " + last);
    }
}
