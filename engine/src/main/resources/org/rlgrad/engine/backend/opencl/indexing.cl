// gather and scatter along one dim (build option: T, the element type of x / base / src). Index
// tensors are int64.
//
// An index outside [0, size) is not followed: the kernel records it in `bad` as n - pos, pos
// being its position in a row-major walk over the index (n its element count), with atomic_max,
// so that after the launch `bad` names the first bad index in the order the CPU backend checks
// them (0: none), and the host throws the CPU's exception for it.

#if T_KIND == KIND_BOOL
#define ACCUMULATE(old, v) ((uchar) ((old) || (v)))
#else
#define ACCUMULATE(old, v) ((old) + (v))
#endif

// out[i] = x[at(lx, i) + index[at(li, i)] * xStep] for element i of the walk over the index's
// shape; lx walks x with a stride of 0 along dim, xStep is x's stride along dim.
kernel void gather(global T* out, global const T* x, const Layout lx, const int xStep, const int size,
                   global const long* index, const Layout li, const int n, global int* bad) {
    int i = get_global_id(0);
    if (i >= n) return;
    long idx = index[layout_at(&li, i)];
    if (idx < 0 || idx >= size) {
        atomic_max(bad, n - i);
        return;
    }
    out[i] = x[layout_at(&lx, i) + (int) idx * xStep];
}

// One work item per line of the index along dim (layouts lo, li, ls walk the index's shape with
// dim set to 1, for out, index and src). The item walks its line in order j = 0, 1, ..., len - 1,
// writing (or adding) src into out at the position its index names. Every output element a line
// can reach shares that line's coordinates in the other dims, so no two items touch one element:
// repeated indices are written in the CPU's order (the last write wins; sums add in that order)
// without atomics, and the result does not depend on scheduling. `inner` is the number of index
// elements after dim, to recover each element's row-major position for the bad-index report.
kernel void scatter(global T* out, const Layout lo, const int outStep, const int size,
                    global const long* index, const Layout li, const int indexStep,
                    global const T* src, const Layout ls, const int srcStep,
                    const int lines, const int len, const int inner, const int n, const int accumulate,
                    global int* bad) {
    int w = get_global_id(0);
    if (w >= lines) return;
    int o = layout_at(&lo, w), ip = layout_at(&li, w), sp = layout_at(&ls, w);
    int first = (w / inner) * len * inner + w % inner;
    for (int j = 0; j < len; j++) {
        long idx = index[ip + j * indexStep];
        if (idx < 0 || idx >= size) {
            atomic_max(bad, n - (first + j * inner));
            continue;
        }
        int dst = o + (int) idx * outStep;
        T v = src[sp + j * srcStep];
        out[dst] = accumulate ? ACCUMULATE(out[dst], v) : v;
    }
}
