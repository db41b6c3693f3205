package org.rlgrad.engine.backend.opencl;

import org.rlgrad.engine.tensor.DType;

/**
 * How rlgrad's dtypes live in OpenCL buffers, and the build options that compile a kernel source
 * for them: float32 is {@code float}, float64 {@code double} (needs {@code cl_khr_fp64}), int64
 * {@code long}, bool {@code uchar} holding 0 or 1.
 */
final class ClTypes {
    private ClTypes() {}

    static String clName(DType t) {
        return switch (t) {
            case FLOAT32 -> "float";
            case FLOAT64 -> "double";
            case INT64 -> "long";
            case BOOL -> "uchar";
        };
    }

    /** The {@code KIND_*} constant of {@code common.cl}. */
    static String kind(DType t) {
        return switch (t) {
            case FLOAT32 -> "KIND_FLOAT";
            case FLOAT64 -> "KIND_DOUBLE";
            case INT64 -> "KIND_LONG";
            case BOOL -> "KIND_BOOL";
        };
    }

    static int bytes(DType t) {
        return switch (t) {
            case FLOAT32 -> 4;
            case FLOAT64, INT64 -> 8;
            case BOOL -> 1;
        };
    }

    /**
     * Build options that name one element type per macro: {@code options("TI", INT64, "TO", FLOAT32)}
     * gives {@code -DTI=long -DTI_KIND=KIND_LONG -DTO=float -DTO_KIND=KIND_FLOAT}, plus
     * {@code -DHAS_FP64} when any of them is float64.
     */
    static String options(Object... macroTypePairs) {
        StringBuilder sb = new StringBuilder();
        boolean fp64 = false;
        for (int i = 0; i < macroTypePairs.length; i += 2) {
            String macro = (String) macroTypePairs[i];
            DType t = (DType) macroTypePairs[i + 1];
            sb.append(" -D").append(macro).append('=').append(clName(t));
            sb.append(" -D").append(macro).append("_KIND=").append(kind(t));
            fp64 |= t == DType.FLOAT64;
        }
        if (fp64) sb.append(" -DHAS_FP64");
        return sb.toString().trim();
    }
}
