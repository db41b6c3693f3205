// Row reductions (build options: T, the input's type; TO, the type the reduction accumulates in,
// which is the result's except for any_all_rows). The host permutes the reduced dims of a view to
// the end, so every kernel here sees `rows` rows of `len` elements: element j of row r is element
// r * len + j of the walk over the Layout. One work-group reduces one row: each work item folds
// the elements j = lid, lid + L, ... in order, then the group combines the L partial results in
// a fixed binary tree in local memory. The order depends only on len and L, so results are
// deterministic, and the tree keeps float32 sums as accurate as the CPU's lane-wise sums.
// L (the local size) must be a power of two.

// The ReduceOp as ClReductions passes it.
#define OP_SUM 0
#define OP_PROD 1
#define OP_MAX 2
#define OP_MIN 3
#define OP_ANY 4
#define OP_ALL 5

#if T_KIND == KIND_FLOAT || T_KIND == KIND_DOUBLE
#define T_IS_NAN(v) isnan(v)
#else
#define T_IS_NAN(v) 0
#endif

#if TO_KIND == KIND_FLOAT || TO_KIND == KIND_DOUBLE
#define TO_FLOATING 1
#define TO_LOWEST (-INFINITY)
#define TO_HIGHEST INFINITY
#elif TO_KIND == KIND_LONG
#define TO_LOWEST LONG_MIN
#define TO_HIGHEST LONG_MAX
#else
#define TO_LOWEST 0
#define TO_HIGHEST 1
#endif

inline TO identity(int op) {
    switch (op) {
        case OP_PROD: case OP_ALL: return (TO) 1;
        case OP_MAX: return TO_LOWEST;
        case OP_MIN: return TO_HIGHEST;
        default: return (TO) 0;
    }
}

// Java's Math.max/min, which the CPU backend uses: NaN wins, and +0.0 > -0.0 (OpenCL's fmax
// leaves both unspecified or different).
inline TO max_of(TO a, TO b) {
#ifdef TO_FLOATING
    if (isnan(a)) return a;
    if (isnan(b)) return b;
    if (a == b) return signbit(a) ? b : a;
#endif
    return a >= b ? a : b;
}

inline TO min_of(TO a, TO b) {
#ifdef TO_FLOATING
    if (isnan(a)) return a;
    if (isnan(b)) return b;
    if (a == b) return signbit(a) ? a : b;
#endif
    return a <= b ? a : b;
}

inline TO combine(int op, TO a, TO b) {
    switch (op) {
        case OP_SUM: return a + b;
        case OP_PROD: return a * b;
        case OP_MAX: return max_of(a, b);
        case OP_MIN: return min_of(a, b);
        case OP_ANY: return (TO) (a != 0 || b != 0);
        default: return (TO) (a != 0 && b != 0);
    }
}

// An input element as the accumulator sees it: ANY/ALL only ask whether it is nonzero (NaN is).
inline TO load(int op, T v) {
    return op == OP_ANY || op == OP_ALL ? (TO) (v != 0) : (TO) v;
}

// Combines every work item's `v` in a fixed tree; all items get the result. `s` holds L values;
// it is free for reuse when this returns.
inline TO group_reduce(int op, TO v, local TO* s) {
    int lid = get_local_id(0);
    s[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int span = get_local_size(0) / 2; span > 0; span >>= 1) {
        if (lid < span) s[lid] = combine(op, s[lid], s[lid + span]);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    TO r = s[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

#ifdef TO_FLOATING
// A float product with its rounding error carried along (Graillat's compensated product: fma gives
// each multiplication's exact error), so that a long product keeps nearly twice the precision, as
// the CPU's double accumulator does for float32. `e` stays 0 once the product is not finite (an
// error term of inf - inf would be NaN).
inline void times(TO* p, TO* e, TO x, TO ex) {
    TO q = *p * x;
    *e = isfinite(q) ? fma(*p, x, -q) + *p * ex + *e * x : 0;
    *p = q;
}

// The product of row `row` in every work item: pairs (p, e) in `s[0 .. 2L)`.
inline TO product_row(global const T* x, const Layout* lx, int row, int len, local TO* s) {
    int lid = get_local_id(0), L = get_local_size(0);
    TO p = 1, e = 0;
    for (int j = lid; j < len; j += L) times(&p, &e, (TO) x[layout_at(lx, row * len + j)], 0);
    s[lid] = p;
    s[L + lid] = e;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int span = L / 2; span > 0; span >>= 1) {
        if (lid < span) {
            p = s[lid];
            e = s[L + lid];
            times(&p, &e, s[lid + span], s[L + lid + span]);
            s[lid] = p;
            s[L + lid] = e;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    TO r = s[L] != 0 ? s[0] + s[L] : s[0]; // adding a zero error would turn -0.0 into +0.0
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}
#endif

// op over row `row` (the identity for an empty row), in every work item of the group. `scratch`
// holds 2L values.
inline TO reduce_row(global const T* x, const Layout* lx, int row, int len, int op, local TO* scratch) {
#ifdef TO_FLOATING
    if (op == OP_PROD) return product_row(x, lx, row, len, scratch);
#endif
    TO acc = identity(op);
    for (int j = get_local_id(0); j < len; j += get_local_size(0)) acc = combine(op, acc, load(op, x[layout_at(lx, row * len + j)]));
    return group_reduce(op, acc, scratch);
}

// out[r] = op over row r.
kernel void reduce_rows(global TO* out, global const T* x, const Layout lx, const int len, const int op,
                        local TO* scratch) {
    TO acc = reduce_row(x, &lx, get_group_id(0), len, op, scratch);
    if (get_local_id(0) == 0) out[get_group_id(0)] = acc;
}

// ANY/ALL (op) of row r as bool. It accumulates 0/1 in TO == T, so that ANY and ALL need no
// program of their own per input dtype (each program variant costs a compile).
kernel void any_all_rows(global uchar* out, global const T* x, const Layout lx, const int len, const int op,
                         local TO* scratch) {
    TO acc = reduce_row(x, &lx, get_group_id(0), len, op, scratch);
    if (get_local_id(0) == 0) out[get_group_id(0)] = acc != 0;
}

// Whether candidate (bv, bi) beats (av, ai) for argmax (want_max) or argmin: a NaN beats any
// number, a strictly better value wins, and among equals (NaNs included; -0.0 == +0.0) the first
// index wins. Index -1 marks a work item that saw no element.
inline bool arg_beats(int want_max, T bv, int bi, T av, int ai) {
    if (bi < 0) return false;
    if (ai < 0) return true;
    bool an = T_IS_NAN(av), bn = T_IS_NAN(bv);
    if (an || bn) return bn && (!an || bi < ai);
    if (want_max ? bv > av : bv < av) return true;
    return bv == av && bi < ai;
}

// out[r] = the index (int64) of the first maximum (or minimum) of row r; len > 0.
kernel void arg_reduce_rows(global long* out, global const T* x, const Layout lx, const int len, const int want_max,
                            local T* sv, local int* si) {
    int row = get_group_id(0), lid = get_local_id(0), L = get_local_size(0);
    T best = 0;
    int at = -1;
    for (int j = lid; j < len; j += L) {
        T v = x[layout_at(&lx, row * len + j)];
        if (arg_beats(want_max, v, j, best, at)) {
            best = v;
            at = j;
        }
    }
    sv[lid] = best;
    si[lid] = at;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int span = L / 2; span > 0; span >>= 1) {
        if (lid < span && arg_beats(want_max, sv[lid + span], si[lid + span], sv[lid], si[lid])) {
            sv[lid] = sv[lid + span];
            si[lid] = si[lid + span];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) out[row] = si[0];
}

#if T_KIND == KIND_FLOAT || T_KIND == KIND_DOUBLE
// softmax and log-sum-exp are compiled with TO == T.

// The CPU backend's shift: the row max, or 0 when that is infinite, so a row of -inf gives
// exp(-inf) / 0 = NaN (as PyTorch does) and a +inf entry gives NaN rather than exp(inf - inf).
inline T row_shift(global const T* x, const Layout* lx, int row, int len, local T* scratch) {
    T m = -INFINITY;
    for (int j = get_local_id(0); j < len; j += get_local_size(0)) m = max_of(m, x[layout_at(lx, row * len + j)]);
    m = group_reduce(OP_MAX, m, scratch);
    return isinf(m) ? (T) 0 : m;
}

inline T row_exp_sum(global const T* x, const Layout* lx, int row, int len, T shift, local T* scratch) {
    T s = 0;
    for (int j = get_local_id(0); j < len; j += get_local_size(0)) s += exp(x[layout_at(lx, row * len + j)] - shift);
    return group_reduce(OP_SUM, s, scratch);
}

// softmax (or log_softmax when `as_log`) of each row: exp(x - m) / sum exp(x - m), or
// x - (m + log sum exp(x - m)). The output Layout walks the rows the same way as the input's.
kernel void softmax_rows(global T* out, const Layout lo, global const T* x, const Layout lx, const int len,
                         const int as_log, local T* scratch) {
    int row = get_group_id(0);
    T shift = row_shift(x, &lx, row, len, scratch);
    T sum = row_exp_sum(x, &lx, row, len, shift, scratch);
    T bias = shift + log(sum), scale = 1 / sum;
    for (int j = get_local_id(0); j < len; j += get_local_size(0)) {
        T v = x[layout_at(&lx, row * len + j)];
        out[layout_at(&lo, row * len + j)] = as_log ? v - bias : exp(v - shift) * scale;
    }
}

// out[r] = log sum exp(row r): -inf for an empty or all -inf row.
kernel void logsumexp_rows(global T* out, global const T* x, const Layout lx, const int len, local T* scratch) {
    int row = get_group_id(0);
    T shift = row_shift(x, &lx, row, len, scratch);
    T sum = row_exp_sum(x, &lx, row, len, shift, scratch);
    if (get_local_id(0) == 0) out[row] = shift + log(sum);
}
#endif
