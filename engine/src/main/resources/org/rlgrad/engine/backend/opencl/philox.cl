// The Philox4x32-10 fill of org.rlgrad.engine.random.Philox, element for element (build option:
// T, float or double). One work item makes one block: 4 float32 or 2 float64 elements.
//
// The words are integer arithmetic and the uniforms exact conversions, so both are bit for bit
// the CPU's. Normals follow Box-Muller as the CPU computes it, in double (float32 draws round at
// the end): OpenCL's log, cos and sin may differ from StrictMath's in the last bits, nothing
// else does. A device without fp64 computes float32 normals in float.

#pragma OPENCL FP_CONTRACT OFF

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

// Block `counter` of stream `stream` under `key` (Philox.block, with the counter's low word first).
inline uint4 philox_block(ulong counter, ulong stream, ulong key) {
    uint c0 = (uint) counter, c1 = (uint) (counter >> 32), c2 = (uint) stream, c3 = (uint) (stream >> 32);
    uint k0 = (uint) key, k1 = (uint) (key >> 32);
    for (int r = 0; r < 10; r++) {
        uint hi0 = mul_hi(PHILOX_M0, c0), lo0 = PHILOX_M0 * c0;
        uint hi1 = mul_hi(PHILOX_M1, c2), lo1 = PHILOX_M1 * c2;
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    return (uint4) (c0, c1, c2, c3);
}

// Philox.uniformFloat: the top 24 bits of a word, exact in float.
inline float uniform_float(uint word) {
    return (float) (word >> 8) * 0x1p-24f;
}

#ifdef HAS_FP64
// Philox.uniformDouble: the top 53 bits of two words, exact in double.
inline double uniform_double(uint high, uint low) {
    return (double) ((((ulong) high << 32) | low) >> 11) * 0x1p-53;
}

// Philox.boxMullerFirst and boxMullerSecond: r = sqrt(-2 ln(1 - u1)), t = 2 pi u2.
inline double2 box_muller(double u1, double u2) {
    double r = sqrt(-2 * log(1 - u1));
    double t = 2 * 3.141592653589793 * u2;
    return (double2) (r * cos(t), r * sin(t));
}
#endif

#if T_KIND == KIND_FLOAT
// Elements 4b .. 4b + 3 (those below n) from block offset + b: uniform words, or Box-Muller pairs
// of words (0, 1) and (2, 3).
kernel void philox_fill(global float* out, const int n, const long key, const long stream, const long offset,
                        const int normal) {
    int b = get_global_id(0), base = 4 * b;
    if (base >= n) return;
    uint4 w = philox_block((ulong) offset + (ulong) b, (ulong) stream, (ulong) key);
    uint words[4] = {w.s0, w.s1, w.s2, w.s3};
    int count = min(4, n - base);
    if (!normal) {
        for (int j = 0; j < count; j++) out[base + j] = uniform_float(words[j]);
        return;
    }
    for (int j = 0; j < count; j += 2) {
#ifdef HAS_FP64
        double2 z = box_muller(uniform_float(words[j]), uniform_float(words[j + 1]));
        out[base + j] = (float) z.x;
        if (j + 1 < count) out[base + j + 1] = (float) z.y;
#else
        float u1 = uniform_float(words[j]), u2 = uniform_float(words[j + 1]);
        float r = sqrt(-2 * log(1 - u1)), t = 2 * M_PI_F * u2;
        out[base + j] = r * cos(t);
        if (j + 1 < count) out[base + j + 1] = r * sin(t);
#endif
    }
}
#else
// Elements 2b and 2b + 1 (those below n) from block offset + b: uniforms from words (0, 1) and
// (2, 3), or their Box-Muller pair.
kernel void philox_fill(global double* out, const int n, const long key, const long stream, const long offset,
                        const int normal) {
    int b = get_global_id(0), base = 2 * b;
    if (base >= n) return;
    uint4 w = philox_block((ulong) offset + (ulong) b, (ulong) stream, (ulong) key);
    double u1 = uniform_double(w.s0, w.s1), u2 = uniform_double(w.s2, w.s3);
    bool second = base + 1 < n;
    if (normal) {
        double2 z = box_muller(u1, u2);
        u1 = z.x;
        u2 = z.y;
    }
    out[base] = u1;
    if (second) out[base + 1] = u2;
}
#endif
