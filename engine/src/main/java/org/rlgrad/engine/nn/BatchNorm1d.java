package org.rlgrad.engine.nn;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Batch normalisation (Ioffe and Szegedy 2015) of [N, C] or [N, C, L] inputs per channel C, as
 * torch.nn.BatchNorm1d:
 * <ul>
 *   <li>training: normalise with the batch mean and the <em>biased</em> batch variance, and
 *       update running_mean = (1 - m) running_mean + m mean and running_var = (1 - m) running_var
 *       + m var_unbiased (unbiased: times n / (n - 1)), num_batches_tracked += 1; momentum m = 0.1
 *       by default, or, when null, the cumulative average m = 1 / num_batches_tracked;
 *   <li>eval: normalise with the running statistics (batch statistics without tracking);
 *   <li>affine: y = x_hat weight + bias with weight ones and bias zeros at start.
 * </ul>
 * The running statistics are written in place, outside the graph. Inside vmap (an ensemble of
 * critics) training mode cannot update them and fails with a batching error; see the report of issue 6.
 */
public final class BatchNorm1d extends UnaryModule {
    private final int numFeatures;
    private final double eps;
    private final Double momentum;
    private final boolean affine;
    private final boolean trackRunningStats;

    public BatchNorm1d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1, true, true, DType.FLOAT32);
    }

    public BatchNorm1d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats, DType dtype) {
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.affine = affine;
        this.trackRunningStats = trackRunningStats;
        if (affine) {
            registerParameter("weight", Tensor.ones(dtype, numFeatures));
            registerParameter("bias", Tensor.zeros(dtype, numFeatures));
        }
        if (trackRunningStats) {
            registerBuffer("running_mean", Tensor.zeros(dtype, numFeatures));
            registerBuffer("running_var", Tensor.ones(dtype, numFeatures));
            registerBuffer("num_batches_tracked", Tensor.zeros(DType.INT64));
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        if ((x.dim() != 2 && x.dim() != 3) || x.size(1) != numFeatures) {
            throw new IllegalArgumentException("BatchNorm1d: expected input [N, " + numFeatures + "] or [N, " + numFeatures
                    + ", L], got shape " + Shape.format(x.shapeRef()));
        }
        int[] dims = x.dim() == 2 ? new int[] {0} : new int[] {0, 2};
        // Per-channel statistics broadcast against [N, C] or [N, C, L].
        int[] statShape = x.dim() == 2 ? new int[] {numFeatures} : new int[] {numFeatures, 1};
        Tensor mean, var;
        if (isTraining() || !trackRunningStats) {
            int n = x.numel() / numFeatures;
            if (isTraining() && n <= 1) {
                throw new IllegalArgumentException("BatchNorm1d: expected more than 1 value per channel when training, got input of shape "
                        + Shape.format(x.shapeRef()));
            }
            mean = x.mean(dims, true);
            var = x.sub(mean).square().mean(dims, true);
            if (isTraining() && trackRunningStats) updateRunningStats(mean, var, n);
        } else {
            mean = buffer("running_mean").reshape(statShape);
            var = buffer("running_var").reshape(statShape);
        }
        Tensor y = x.sub(mean).mul(var.add(eps).rsqrt());
        return affine ? y.mul(parameter("weight").reshape(statShape)).add(parameter("bias").reshape(statShape)) : y;
    }

    private void updateRunningStats(Tensor mean, Tensor var, int n) {
        try (var scope = GradMode.noGrad()) {
            Tensor count = buffer("num_batches_tracked");
            count.copy_(count.add(count.newScalar(1, DType.INT64)));
            double m = momentum != null ? momentum : 1.0 / count.item();
            Tensor runningMean = buffer("running_mean"), runningVar = buffer("running_var");
            Tensor batchMean = mean.detach().reshape(numFeatures);
            Tensor unbiased = var.detach().reshape(numFeatures).mul((double) n / (n - 1));
            runningMean.copy_(runningMean.mul(1 - m).add(batchMean.mul(m)));
            runningVar.copy_(runningVar.mul(1 - m).add(unbiased.mul(m)));
        }
    }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + eps + ", momentum=" + momentum + ", affine=" + affine + ", track_running_stats=" + trackRunningStats;
    }
}
