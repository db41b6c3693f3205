package org.rlgrad.engine.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.io.Json;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The optimisers, schedules and norm clipping against numbers torch 1.13 computed
 * ({@code torch_optim_reference.py} next to the JSON it wrote, in this package's resources; its
 * header says what it records and how to rerun it). Float64, so agreement is to rounding: 1e-12.
 */
class TorchOptimReferenceTest {
    private static final double TOL = 1e-12;
    private static final Map<String, Object> REF = load();

    @SuppressWarnings("unchecked")
    private static Map<String, Object> load() {
        try (InputStream in = TorchOptimReferenceTest.class.getResourceAsStream("torch_optim_reference.json")) {
            if (in == null) throw new IllegalStateException("torch_optim_reference.json is missing from the test resources");
            return (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    /** A nested list of numbers as a float64 tensor of its shape. */
    static Tensor tensor(Object nested) {
        List<Integer> shape = new ArrayList<>();
        for (Object o = nested; o instanceof List<?> l; o = l.get(0)) shape.add(l.size());
        List<Double> flat = new ArrayList<>();
        flatten(nested, flat);
        double[] data = flat.stream().mapToDouble(Double::doubleValue).toArray();
        return Tensor.of(DType.FLOAT64, data, shape.stream().mapToInt(Integer::intValue).toArray());
    }

    private static void flatten(Object o, List<Double> out) {
        if (o instanceof List<?> l) {
            for (Object x : l) flatten(x, out);
        } else {
            out.add(number(o));
        }
    }

    private static double num(Map<String, Object> kw, String key, double otherwise) {
        Object v = kw.get(key);
        return v == null ? otherwise : number(v);
    }

    private static boolean flag(Map<String, Object> kw, String key) {
        return Boolean.TRUE.equals(kw.get(key));
    }

    /** The Java optimiser torch's class name and keyword arguments describe; unknown keywords fail. */
    private static Optimizer<?> optimizer(String name, Map<String, Object> kw, List<Tensor> params) {
        switch (name) {
            case "SGD" -> {
                assertTrue(Set.of("lr", "momentum", "dampening", "nesterov", "weight_decay", "maximize").containsAll(kw.keySet()), kw.toString());
                return new SGD(params, new SGD.Options(num(kw, "lr", Double.NaN), num(kw, "momentum", 0), num(kw, "dampening", 0),
                        flag(kw, "nesterov"), num(kw, "weight_decay", 0), flag(kw, "maximize")));
            }
            case "Adam", "AdamW" -> {
                assertTrue(Set.of("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize").containsAll(kw.keySet()), kw.toString());
                List<Object> betas = kw.containsKey("betas") ? list(kw.get("betas")) : List.of(0.9, 0.999);
                double wd = num(kw, "weight_decay", name.equals("Adam") ? 0 : AdamW.DEFAULT_WEIGHT_DECAY);
                Adam.Options o = new Adam.Options(num(kw, "lr", Double.NaN), number(betas.get(0)), number(betas.get(1)),
                        num(kw, "eps", 1e-8), wd, flag(kw, "amsgrad"), flag(kw, "maximize"));
                return name.equals("Adam") ? new Adam(params, o) : new AdamW(params, o);
            }
            case "RMSprop" -> {
                assertTrue(Set.of("lr", "alpha", "eps", "weight_decay", "momentum", "centered", "maximize").containsAll(kw.keySet()), kw.toString());
                return new RMSprop(params, new RMSprop.Options(num(kw, "lr", 1e-2), num(kw, "alpha", 0.99), num(kw, "eps", 1e-8),
                        num(kw, "weight_decay", 0), num(kw, "momentum", 0), flag(kw, "centered"), flag(kw, "maximize")));
            }
            default -> throw new AssertionError("no Java optimiser for torch's " + name);
        }
    }

    @Test
    void everyOptimizerConfigurationMatchesTorchStepByStep() {
        List<Object> params0 = list(REF.get("params0"));
        List<Object> grads = list(REF.get("grads"));
        int checked = 0;
        for (Object c : list(REF.get("optimizers"))) {
            Map<String, Object> config = map(c);
            String what = config.get("name") + " " + config.get("kwargs");
            List<Tensor> params = new ArrayList<>();
            for (Object p0 : params0) params.add(tensor(p0).requiresGrad(true));
            Optimizer<?> opt = optimizer((String) config.get("name"), map(config.get("kwargs")), params);
            List<Object> expected = list(config.get("params"));
            for (int step = 0; step < expected.size(); step++) {
                opt.zeroGrad();
                List<Object> g = list(grads.get(step));
                for (int i = 0; i < params.size(); i++) {
                    if (g.get(i) != null) params.get(i).setGrad(tensor(g.get(i)));
                }
                opt.step();
                List<Object> after = list(expected.get(step));
                for (int i = 0; i < params.size(); i++) {
                    assertArrayEquals(tensor(after.get(i)).toDoubleArray(), params.get(i).toDoubleArray(), TOL,
                            what + ": parameter " + i + " after step " + (step + 1));
                }
                checked++;
            }
        }
        assertEquals(21 * 4, checked, "every configuration of the reference file, every step");
    }

    private static LrScheduler schedule(String name, Map<String, Object> kw, Optimizer<?> opt) {
        return switch (name) {
            case "StepLR" -> new StepLR(opt, (int) num(kw, "step_size", Double.NaN), num(kw, "gamma", 0.1));
            case "MultiStepLR" -> new MultiStepLR(opt, list(kw.get("milestones")).stream().mapToInt(x -> (int) number(x)).toArray(),
                    num(kw, "gamma", 0.1));
            case "ExponentialLR" -> new ExponentialLR(opt, num(kw, "gamma", Double.NaN));
            case "CosineAnnealingLR" -> new CosineAnnealingLR(opt, (int) num(kw, "T_max", Double.NaN), num(kw, "eta_min", 0));
            case "LinearLR" -> kw.isEmpty() ? new LinearLR(opt)
                    : new LinearLR(opt, num(kw, "start_factor", 1.0 / 3), num(kw, "end_factor", 1), (int) num(kw, "total_iters", 5));
            case "LambdaLR" -> {
                assertEquals("inverse_epoch", kw.get("lr_lambda"));
                yield new LambdaLR(opt, epoch -> 1.0 / (epoch + 1));
            }
            default -> throw new AssertionError("no Java schedule for torch's " + name);
        };
    }

    @Test
    void everyScheduleMatchesTorchsLearningRatesEpochByEpoch() {
        int checked = 0;
        for (Object c : list(REF.get("schedules"))) {
            Map<String, Object> config = map(c);
            String what = config.get("name") + " " + config.get("kwargs");
            List<Object> base = list(config.get("base_lrs"));
            SGD opt = new SGD(List.of(ParamGroup.of(List.of(Tensor.zeros(DType.FLOAT64, 1).requiresGrad(true)), new SGD.Options(number(base.get(0)))),
                    ParamGroup.of(List.of(Tensor.zeros(DType.FLOAT64, 1).requiresGrad(true)), new SGD.Options(number(base.get(1))))));
            LrScheduler s = schedule((String) config.get("name"), map(config.get("kwargs")), opt);
            List<Object> lrs = list(config.get("lrs"));
            for (int epoch = 0; epoch < lrs.size(); epoch++) {
                if (epoch > 0) {
                    opt.step();
                    s.step();
                }
                double[] expected = tensor(lrs.get(epoch)).toDoubleArray();
                double[] got = {opt.paramGroups().get(0).lr(), opt.paramGroups().get(1).lr()};
                assertArrayEquals(expected, got, TOL, what + " at epoch " + epoch);
                assertEquals(epoch, s.lastEpoch());
                checked++;
            }
        }
        assertEquals(8 * 15, checked);
    }

    @Test
    void clipGradNormMatchesTorchForEveryNormType() {
        List<Object> params0 = list(REF.get("params0"));
        List<Object> grads = list(list(REF.get("grads")).get(0));
        int checked = 0;
        for (Object c : list(REF.get("clip_grad_norm"))) {
            Map<String, Object> config = map(c);
            Object t = config.get("norm_type");
            double normType = "inf".equals(t) ? Double.POSITIVE_INFINITY : number(t);
            double maxNorm = number(config.get("max_norm"));
            String what = "max_norm " + maxNorm + ", norm_type " + normType;
            List<Tensor> params = new ArrayList<>();
            for (int i = 0; i < params0.size(); i++) {
                Tensor p = tensor(params0.get(i)).requiresGrad(true);
                p.setGrad(tensor(grads.get(i)));
                params.add(p);
            }
            Tensor total = ClipGrad.clipGradNorm(params, maxNorm, normType, true);
            assertEquals(number(config.get("total")), total.item(), TOL, what + ": total norm");
            List<Object> clipped = list(config.get("grads"));
            for (int i = 0; i < params.size(); i++) {
                assertArrayEquals(tensor(clipped.get(i)).toDoubleArray(), params.get(i).grad().toDoubleArray(), TOL, what + ": gradient " + i);
            }
            checked++;
        }
        assertEquals(6, checked);
    }

    /** A JSON number as a double (the reader gives integers as Long and the rest as Double). */
    private static double number(Object o) {
        return ((Number) o).doubleValue();
    }
}
