// The header every rlgrad OpenCL program starts with (ClSources prepends it).
//
// Element types arrive as build options, one macro per operand: -DT=float, -DTI=long, ... with a
// kind for each (-DT_KIND=KIND_FLOAT), so that one source compiles to one program per dtype
// combination. rlgrad's dtypes map to OpenCL as float32 -> float, float64 -> double,
// int64 -> long, bool -> uchar (0 or 1).
#define KIND_FLOAT 0
#define KIND_DOUBLE 1
#define KIND_LONG 2
#define KIND_BOOL 3

#ifdef HAS_FP64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#endif

// A strided view as kernels see it (ClLayout packs it): element i of a row-major walk over
// `shape` is at `offset + sum_d index_d * stride[d]`, in elements of the buffer. Broadcast dims
// have stride 0. ClLayout merges dims that walk memory evenly, so a contiguous view has ndim 1.
#define MAX_DIMS 8
typedef struct {
    int ndim;
    int offset;
    int shape[MAX_DIMS];
    int stride[MAX_DIMS];
} Layout;

// Where element `i` of a row-major walk over the layout's shape lives in its buffer.
inline int layout_at(const Layout* l, int i) {
    int at = l->offset;
    for (int d = l->ndim - 1; d > 0; d--) {
        int s = l->shape[d];
        at += (i % s) * l->stride[d];
        i /= s;
    }
    return at + i * l->stride[0];
}
