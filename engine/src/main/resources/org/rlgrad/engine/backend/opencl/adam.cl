// One fused Adam step, in place (build option: T, float or double), with the CPU backend's
// per-element sequence (OptimKernels.adam, torch 1.13's per-tensor loop):
//   m = m * b1 + c1 * g            c1 = 1 - beta1
//   v = v * b2 + c2 * g * g        c2 = 1 - beta2
//   denom = sqrt(v) / s2 + eps     s2 = sqrt of the second bias correction
//   p = p + step * (m / denom)     step = -stepSize
// Every operation rounds on its own: contraction into fma is off, and float32 programs are built
// with -cl-fp32-correctly-rounded-divide-sqrt, so each step is the one IEEE operation Java does
// and the results are the CPU's bit for bit.

#pragma OPENCL FP_CONTRACT OFF

// Element i of the walk over the parameter's shape, each operand at its own layout.
kernel void adam(global T* p, const Layout lp, global const T* g, const Layout lg,
                 global T* m, const Layout lm, global T* v, const Layout lv,
                 const T b1, const T c1, const T b2, const T c2, const T s2, const T eps, const T step, const int n) {
    int i = get_global_id(0);
    if (i >= n) return;
    int ip = layout_at(&lp, i), im = layout_at(&lm, i), iv = layout_at(&lv, i);
    T gi = g[layout_at(&lg, i)];
    T mi = m[im] * b1 + c1 * gi;
    T vi = v[iv] * b2 + c2 * gi * gi;
    m[im] = mi;
    v[iv] = vi;
    T denom = sqrt(vi) / s2 + eps;
    p[ip] = p[ip] + step * (mi / denom);
}
