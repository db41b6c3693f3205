// Inclusive scans and stable sorts along one dim (build option T, the element type). The host
// moves the dim last, so every kernel sees `rows` rows of `len` elements: element j of row r is
// element r * len + j of the walk over a Layout.

// The ScanOp as ClScans passes it.
#define OP_CUMSUM 0
#define OP_CUMPROD 1

// The CPU backend accumulates in double and stores each prefix converted to the dtype; for bool
// (stored as v != 0) that makes cumsum a running OR and cumprod a running AND.
inline T scan_combine(int op, T a, T b) {
#if T_KIND == KIND_BOOL
    return op == OP_CUMSUM ? (a | b) : (a & b);
#else
    return op == OP_CUMSUM ? a + b : a * b;
#endif
}

// acc = acc op x over (value, error) pairs. Float products carry their rounding error (Graillat's
// compensated product: fma gives each multiplication's exact error), so that a long cumprod keeps
// nearly twice the precision, as the CPU's double accumulator does for float32; every other case
// leaves the error 0. The error stays 0 once the product is not finite (inf - inf would be NaN).
inline void scan_step(int op, T* p, T* e, T x, T ex) {
#if T_KIND == KIND_FLOAT || T_KIND == KIND_DOUBLE
    if (op == OP_CUMPROD) {
        T q = *p * x;
        *e = isfinite(q) ? fma(*p, x, -q) + *p * ex + *e * x : 0;
        *p = q;
        return;
    }
#endif
    *p = scan_combine(op, *p, x);
}

// The value of a pair; adding a zero error would turn -0.0 into +0.0.
inline T scan_value(T p, T e) {
    return e != 0 ? p + e : p;
}

// One work-group per row, of L items (any L): item t scans the contiguous chunk
// [t c, t c + c) with c = ceil(len / L). Pass 1 folds each chunk; the group then scans the L chunk
// totals in local memory (Hillis-Steele, log2 L steps) to get each chunk's exclusive prefix; pass 2
// rescans the chunk from that prefix and writes. The first chunk starts from the identity, as the
// CPU's loop does (so 0 + -0.0 gives +0.0 there too). `s` holds L (value, error) pairs: values in
// s[0 .. L), errors in s[L .. 2L).
kernel void scan_rows(global T* out, const Layout lo, global const T* x, const Layout lx, const int len,
                      const int op, local T* s) {
    int row = get_group_id(0), lid = get_local_id(0), L = get_local_size(0);
    T identity = op == OP_CUMSUM ? (T) 0 : (T) 1;
    int chunk = (len + L - 1) / L;
    int from = min(len, lid * chunk), to = min(len, from + chunk);
    T p = identity, e = 0;
    for (int j = from; j < to; j++) scan_step(op, &p, &e, x[layout_at(&lx, row * len + j)], 0);
    s[lid] = p;
    s[L + lid] = e;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int step = 1; step < L; step <<= 1) {
        T lp = identity, le = 0;
        if (lid >= step) {
            lp = s[lid - step];
            le = s[L + lid - step];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        if (lid >= step) {
            scan_step(op, &lp, &le, s[lid], s[L + lid]);
            s[lid] = lp;
            s[L + lid] = le;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    p = identity;
    e = 0;
    if (lid > 0) {
        p = s[lid - 1];
        e = s[L + lid - 1];
    }
    for (int j = from; j < to; j++) {
        scan_step(op, &p, &e, x[layout_at(&lx, row * len + j)], 0);
        out[layout_at(&lo, row * len + j)] = scan_value(p, e);
    }
}

// The CPU's order (Double.compare, with every NaN equal and above everything): -1, 0 or 1.
// -0.0 sorts before +0.0. int64 compares exactly.
inline int compare(T p, T q) {
#if T_KIND == KIND_FLOAT || T_KIND == KIND_DOUBLE
    if (isnan(p)) return isnan(q) ? 0 : 1;
    if (isnan(q)) return -1;
    if (p == q) return signbit(p) == signbit(q) ? 0 : (signbit(p) ? -1 : 1);
#endif
    return p < q ? -1 : (p > q ? 1 : 0);
}

// One work item per row: a bottom-up merge sort of the indices 0..len-1 by key, ping-ponging
// between the row's slices of `a` and `b` (O(len log len), no recursion). A merge takes the right
// run's head only when it must come strictly first, which keeps equal keys in index order in
// both directions, as the CPU's stable sort with a reversed comparator does. `keys` holds the rows
// contiguously from `key_offset`; the permutation goes to `out` through its Layout.
kernel void sort_rows(global long* out, const Layout lo, global const T* keys, const int key_offset,
                      global long* a, global long* b, const int rows, const int len, const int descending) {
    int row = get_global_id(0);
    if (row >= rows) return;
    global const T* key = keys + key_offset + row * len;
    global long* src = a + row * len;
    global long* dst = b + row * len;
    for (int j = 0; j < len; j++) src[j] = j;
    for (int width = 1; width < len; width <<= 1) {
        for (int lo_at = 0; lo_at < len; lo_at += 2 * width) {
            int mid = min(len, lo_at + width), hi = min(len, lo_at + 2 * width);
            int i = lo_at, j = mid, k = lo_at;
            while (i < mid && j < hi) {
                T l = key[src[i]], r = key[src[j]];
                bool right_first = descending ? compare(l, r) < 0 : compare(r, l) < 0;
                dst[k++] = right_first ? src[j++] : src[i++];
            }
            while (i < mid) dst[k++] = src[i++];
            while (j < hi) dst[k++] = src[j++];
        }
        global long* t = src;
        src = dst;
        dst = t;
    }
    for (int j = 0; j < len; j++) out[layout_at(&lo, row * len + j)] = src[j];
}
