// Element-wise kernels: unary ops, broadcasting binary ops and where (ClPointwise).
//
// The math is the CPU backend's (ScalarMath, SpecialFunctions), written once over macro types:
//   R  the type ops compute in: float for float32 data (and bool-only binary ops), double
//      otherwise where the device has it (ClPointwise says which);
//   S  the type of the special functions (erfinv, lgamma, digamma, trigamma): double wherever the
//      device has it, since the CPU evaluates them in double and their float evaluation loses
//      digits (erfinv's Newton steps near +-1, lgamma and digamma near their roots);
//   T / TA / TB / TC  the operands' element types, TO the result's.
// One of UNARY, BINARY, WHERE selects the kernel a program holds (each needs its own macros).
// The op is a uniform `int op` argument (every work item takes the same branch); its codes are
// ClPointwise.code's.

// Java evaluates a * x + b as two roundings; a contracted fma would round once and differ in
// the last bit from the CPU backend (which the exact ops must match bit for bit).
#pragma OPENCL FP_CONTRACT OFF

// rlgrad's conversion of a computed value to the result type: to bool tests != 0 (NaN is true,
// as in Java); to int64 truncates toward zero and saturates with NaN giving 0 (Java's (long)).
#if TO_KIND == KIND_BOOL
#define CONVERT_OUT(v) ((uchar) ((v) != 0))
#elif TO_KIND == KIND_LONG
#define CONVERT_OUT(v) convert_long_sat(v)
#else
#define CONVERT_OUT(v) ((TO) (v))
#endif

#ifdef UNARY
#define PI_S ((S) 3.141592653589793)

// ---------------------------------------------------------------------------------------------
// Special functions (SpecialFunctions.java, line for line; OpenCL C has no recursion, so the
// reflections call the positive branch directly).

// Lanczos approximation with g = 7 and nine coefficients (Numerical Recipes 3rd ed., 6.1), x >= 0.5.
S lgamma_lanczos(S x) {
    if (x == 1 || x == 2) return 0;
    S z = x - 1;
    S sum = (S) 0.99999999999980993;
    sum += (S) 676.5203681218851 / (z + 1);
    sum += (S) -1259.1392167224028 / (z + 2);
    sum += (S) 771.32342877765313 / (z + 3);
    sum += (S) -176.61502916214059 / (z + 4);
    sum += (S) 12.507343278686905 / (z + 5);
    sum += (S) -0.13857109526572012 / (z + 6);
    sum += (S) 9.9843695780195716e-6 / (z + 7);
    sum += (S) 1.5056327351493116e-7 / (z + 8);
    S t = z + (S) 7 + (S) 0.5;
    return (S) 0.5 * log((S) 2 * PI_S) + (z + (S) 0.5) * log(t) - t + log(sum);
}

// log|Gamma(x)|; Gamma(x) Gamma(1-x) = pi / sin(pi x) below 1/2, with sin(pi x) taken from the
// exact fractional part x - rint(x) (pi * x itself loses digits when |x| is large).
S lgamma_s(S x) {
    if (isnan(x)) return x;
    if (isinf(x)) return (S) INFINITY;
    if (x <= 0 && x == floor(x)) return (S) INFINITY;
    if (x < (S) 0.5) return log(PI_S / fabs(sin(PI_S * (x - rint(x))))) - lgamma_lanczos(1 - x);
    return lgamma_lanczos(x);
}

// psi(x) for x > 0: psi(x) = psi(x + 1) - 1/x lifts x above 20, then the asymptotic series
// ln x - 1/(2x) - sum B_2k / (2k x^2k).
S digamma_positive(S x) {
    S result = 0;
    while (x < 20) {
        result -= 1 / x;
        x += 1;
    }
    S inv2 = 1 / (x * x);
    S series = inv2 * ((S) 1 / 12 - inv2 * ((S) 1 / 120 - inv2 * ((S) 1 / 252 - inv2 * ((S) 1 / 240 - inv2 * ((S) 1 / 132)))));
    return result + log(x) - (S) 0.5 / x - series;
}

// psi(x) = psi(1 - x) - pi / tan(pi x) below zero; NaN at the poles 0, -1, -2, ...
S digamma_s(S x) {
    if (isnan(x)) return x;
    if (x <= 0 && x == floor(x)) return (S) NAN;
    if (x < 0) return digamma_positive(1 - x) - PI_S / tan(PI_S * (x - rint(x)));
    return digamma_positive(x);
}

// psi'(x) as PyTorch computes it (ATen's calc_trigamma), as SpecialFunctions.trigamma does:
// the reflection below 1/2, six steps of psi'(x) = psi'(x + 1) + 1/x^2, then the series
// 1/x + 1/(2x^2) + 1/(6x^3) - 1/(30x^5) + 1/(42x^7).
S trigamma_s(S x) {
    if (isnan(x)) return x;
    if (x <= 0 && x == floor(x)) return (S) INFINITY;
    S sign = 1, result = 0;
    if (x < (S) 0.5) {
        sign = -1;
        S s = sin(PI_S * (x - rint(x)));
        result -= PI_S * PI_S / (s * s);
        x = 1 - x;
    }
    for (int i = 0; i < 6; i++) {
        result += 1 / (x * x);
        x += 1;
    }
    S ixx = 1 / (x * x);
    result += (1 + 1 / (2 * x) + ixx * ((S) 1 / 6 - ixx * ((S) 1 / 30 - ixx * ((S) 1 / 42)))) / x;
    return sign * result;
}

// The inverse of erf on (-1, 1): Winitzki's closed form (about 2e-3 relative) refined by Halley
// steps on f(x) = erf(x) - y, with f' = 2/sqrt(pi) e^{-x^2} and f'' = -2x f'.
S erfinv_s(S y) {
    if (isnan(y) || y < -1 || y > 1) return (S) NAN;
    if (y == 1) return (S) INFINITY;
    if (y == -1) return -(S) INFINITY;
    if (y == 0) return y;
    S a = (S) 0.147;
    S ln = log1p(-y * y);
    S t = 2 / (PI_S * a) + ln / 2;
    S x = copysign(sqrt(sqrt(t * t - ln / a) - t), y);
    for (int i = 0; i < 4; i++) {
        S f = erf(x) - y;
        S fp = (S) 1.1283791670955126 * exp(-x * x);
        if (fp == 0) break;
        S step = f / (fp + x * f);
        x -= step;
        if (fabs(step) <= (S) 1e-17 * fabs(x)) break;
    }
    return x;
}

#endif // UNARY

// ---------------------------------------------------------------------------------------------
// Scalar rules shared by unary and binary

#if defined(UNARY) || defined(BINARY)
// Integers up to 2^24 (float) or 2^53 (double) are exact, and so are their products below it.
#if R_KIND == KIND_FLOAT
#define EXACT_LIMIT 16777216.0f
#else
#define EXACT_LIMIT 9007199254740992.0
#endif

// Java's Math.pow, which differs from C's pow in two places: a NaN exponent always gives NaN
// (C: pow(1, NaN) = 1), and |x| = 1 with an infinite exponent gives NaN (C: 1). An integer base
// to a small non-negative integer power is multiplied out while the product stays exact (below
// 2^24 in float, 2^53 in double): that is the correctly rounded result Java gives, where a
// device's pow may be a few ulps off (OpenCL allows 16), and int64 results truncate it.
R java_pow(R x, R y) {
    if (isnan(y)) return y;
    if (isinf(y) && fabs(x) == 1) return (R) NAN;
    if (y >= 0 && y <= 64 && y == floor(y) && x == floor(x) && fabs(x) <= EXACT_LIMIT) {
        R r = 1;
        int e = (int) y;
        for (; e > 0 && fabs(r) <= EXACT_LIMIT; e--) r *= x;
        if (e == 0 && fabs(r) <= EXACT_LIMIT) return r;
    }
    return pow(x, y);
}

// torch.maximum / torch.minimum as Java's Math.max/min: NaN wins, and +0 is above -0.
R java_max(R x, R y) {
    if (isnan(x) || isnan(y)) return (R) NAN;
    if (x == y) return signbit(x) ? y : x;
    return x > y ? x : y;
}

R java_min(R x, R y) {
    if (isnan(x) || isnan(y)) return (R) NAN;
    if (x == y) return signbit(x) ? x : y;
    return x < y ? x : y;
}

#endif // UNARY || BINARY

// ---------------------------------------------------------------------------------------------
// unary: out[i] = op(x[i]) over x's row-major walk; a and b are the op's parameters (UnaryOp).

#ifdef UNARY
R unary_op(int op, R x, R a, R b) {
    switch (op) {
        case 0: return -x;                                                      // NEG
        case 1: return fabs(x);                                                 // ABS
        case 2: return isnan(x) ? x : x > 0 ? (R) 1 : x < 0 ? (R) -1 : (R) 0;   // SIGN (+0 for -0)
        case 3: return exp(x);
        case 4: return expm1(x);
        case 5: return log(x);
        case 6: return log1p(x);
        case 7: return sqrt(x);
        case 8: return 1 / sqrt(x);                                             // RSQRT (rsqrt may be approximate)
        case 9: return sin(x);
        case 10: return cos(x);
        case 11: return tanh(x);
        case 12: {                                                              // ATANH
            // 0.5 log((1 + |x|) / (1 - |x|)) with log1p, on |x| so that it stays accurate near -1.
            R ax = fabs(x);
            return copysign((R) 0.5 * log1p(2 * ax / (1 - ax)), x);
        }
        case 13: {                                                              // SIGMOID
            if (x >= 0) return 1 / (1 + exp(-x));
            R e = exp(x);
            return e / (1 + e);
        }
        case 14: return (x < 0 ? x : (R) 0) - log1p(exp(-fabs(x)));            // LOG_SIGMOID
        case 15: return x > 0 ? x : isnan(x) ? x : (R) 0;                       // RELU
        case 16: return erf(x);
        case 17: return (R) erfinv_s((S) x);
        case 18: return floor(x);
        case 19: return ceil(x);
        case 20: return rint(x);                                                // ROUND: half to even
        case 21: return trunc(x);
        case 22: return 1 / x;                                                  // RECIPROCAL
        case 23: return x * x;                                                  // SQUARE
        case 24: return 1 - x * x;                                              // ONE_MINUS_SQUARE
        case 25: return (R) lgamma_s((S) x);
        case 26: return (R) digamma_s((S) x);
        case 27: return (R) trigamma_s((S) x);
        case 28: return a * x + b;                                              // AFFINE
        case 29: return java_pow(x, a);                                         // POW_SCALAR
        case 30: return java_pow(a, x);                                         // SCALAR_POW
        case 31: {                                                              // CLAMP: a NaN bound is not applied
            if (isnan(x)) return x;
            if (!isnan(a) && x < a) x = a;
            if (!isnan(b) && x > b) x = b;
            return x;
        }
        case 32: return a * x > b ? x : log1p(exp(a * x)) / a;                  // SOFTPLUS
        case 33: return x > 0 ? x : a * expm1(x);                               // ELU
        case 34: return x > 0 ? x : a * x;                                      // LEAKY_RELU
        case 35: return x == 0 ? (R) 1 : (R) 0;                                 // LOGICAL_NOT
        case 36: return isnan(x) ? (R) 1 : (R) 0;
        case 37: return isinf(x) ? (R) 1 : (R) 0;
        case 38: return isfinite(x) ? (R) 1 : (R) 0;
        default: return (R) NAN;
    }
}

kernel void unary(global TO* out, global const T* x, const Layout lx, const int n, const int op, const R a, const R b) {
    int i = get_global_id(0);
    if (i >= n) return;
    out[i] = CONVERT_OUT(unary_op(op, (R) x[layout_at(&lx, i)], a, b));
}
#endif // UNARY

// ---------------------------------------------------------------------------------------------
// binary: out[i] = a[i] op b[i] over the broadcast output's walk.
//
// LONG_EXACT (int64 add, sub, mul, maximum, minimum and comparisons): exact 64-bit integer math
// that wraps on overflow as Java's long does; a float operand is first truncated as Java's (long)
// cast does. Otherwise the operands are converted to R and the op runs there, as the CPU runs it
// in double; int64 division and pow therefore truncate the real quotient and power.

#ifdef BINARY
#ifdef LONG_EXACT
#if TA_KIND == KIND_FLOAT || TA_KIND == KIND_DOUBLE
#define LOAD_A(v) convert_long_sat(v)
#else
#define LOAD_A(v) ((long) (v))
#endif
#if TB_KIND == KIND_FLOAT || TB_KIND == KIND_DOUBLE
#define LOAD_B(v) convert_long_sat(v)
#else
#define LOAD_B(v) ((long) (v))
#endif

// The wrapping arithmetic goes through ulong: signed overflow is undefined in OpenCL C.
long binary_op(int op, long x, long y) {
    switch (op) {
        case 0: return as_long(as_ulong(x) + as_ulong(y));
        case 1: return as_long(as_ulong(x) - as_ulong(y));
        case 2: return as_long(as_ulong(x) * as_ulong(y));
        case 5: return x > y ? x : y;
        case 6: return x < y ? x : y;
        case 7: return x == y;
        case 8: return x != y;
        case 9: return x < y;
        case 10: return x <= y;
        case 11: return x > y;
        case 12: return x >= y;
        default: return 0; // ClPointwise sends only the ops above here
    }
}
#define BINARY_TYPE long
#else
#define LOAD_A(v) ((R) (v))
#define LOAD_B(v) ((R) (v))

// Comparisons follow IEEE (and Java): any comparison with NaN is false, but !=.
R binary_op(int op, R x, R y) {
    switch (op) {
        case 0: return x + y;
        case 1: return x - y;
        case 2: return x * y;
        case 3: return x / y;
        case 4: return java_pow(x, y);
        case 5: return java_max(x, y);
        case 6: return java_min(x, y);
        case 7: return x == y ? (R) 1 : (R) 0;
        case 8: return x != y ? (R) 1 : (R) 0;
        case 9: return x < y ? (R) 1 : (R) 0;
        case 10: return x <= y ? (R) 1 : (R) 0;
        case 11: return x > y ? (R) 1 : (R) 0;
        case 12: return x >= y ? (R) 1 : (R) 0;
        case 13: return x != 0 && y != 0 ? (R) 1 : (R) 0;
        case 14: return x != 0 || y != 0 ? (R) 1 : (R) 0;
        case 15: return (x != 0) != (y != 0) ? (R) 1 : (R) 0;
        default: return (R) NAN;
    }
}
#define BINARY_TYPE R
#endif

kernel void binary(global TO* out, global const TA* a, const Layout la, global const TB* b, const Layout lb,
                   const int n, const int op) {
    int i = get_global_id(0);
    if (i >= n) return;
    BINARY_TYPE v = binary_op(op, LOAD_A(a[layout_at(&la, i)]), LOAD_B(b[layout_at(&lb, i)]));
#if defined(LONG_EXACT) && TO_KIND == KIND_BOOL
    out[i] = (uchar) (v != 0);
#elif defined(LONG_EXACT)
    out[i] = v;
#else
    out[i] = CONVERT_OUT(v);
#endif
}
#endif // BINARY

// ---------------------------------------------------------------------------------------------
// where: out[i] = cond[i] != 0 ? a[i] : b[i] over the broadcast output's walk, each value
// converted to the result type as the CPU's where converts it: to bool by != 0, a float to int64
// by Java's (long) cast, an int64 to float32 through double (Java's (float) (double) x, which
// can differ from a direct rounding above 2^53), anything else by OpenCL's rounding cast.

#ifdef WHERE
#if TO_KIND == KIND_BOOL
#define WHERE_A(v) ((uchar) ((v) != 0))
#elif TO_KIND == KIND_LONG && (TA_KIND == KIND_FLOAT || TA_KIND == KIND_DOUBLE)
#define WHERE_A(v) convert_long_sat(v)
#elif TO_KIND == KIND_FLOAT && TA_KIND == KIND_LONG && defined(HAS_FP64)
#define WHERE_A(v) ((float) (double) (v))
#else
#define WHERE_A(v) ((TO) (v))
#endif
#if TO_KIND == KIND_BOOL
#define WHERE_B(v) ((uchar) ((v) != 0))
#elif TO_KIND == KIND_LONG && (TB_KIND == KIND_FLOAT || TB_KIND == KIND_DOUBLE)
#define WHERE_B(v) convert_long_sat(v)
#elif TO_KIND == KIND_FLOAT && TB_KIND == KIND_LONG && defined(HAS_FP64)
#define WHERE_B(v) ((float) (double) (v))
#else
#define WHERE_B(v) ((TO) (v))
#endif

kernel void where(global TO* out, global const TC* cond, const Layout lc, global const TA* a, const Layout la,
                  global const TB* b, const Layout lb, const int n) {
    int i = get_global_id(0);
    if (i >= n) return;
    out[i] = cond[layout_at(&lc, i)] != 0 ? WHERE_A(a[layout_at(&la, i)]) : WHERE_B(b[layout_at(&lb, i)]);
}
#endif // WHERE
