// Copies and casts between strided views (build options: TI, the source type; TO, the target's).

// rlgrad's conversions: to bool tests != 0; float to int64 truncates toward zero and saturates,
// with NaN giving 0 (as Java's (long) cast does); everything else is OpenCL's rounding cast.
#if TO_KIND == KIND_BOOL
#define CONVERT_OUT(v) ((uchar) ((v) != 0))
#elif TO_KIND == KIND_LONG && (TI_KIND == KIND_FLOAT || TI_KIND == KIND_DOUBLE)
#define CONVERT_OUT(v) convert_long_sat(v)
#else
#define CONVERT_OUT(v) ((TO) (v))
#endif

// Element i of the walk: dst[at(ld, i)] = src[at(ls, i)], converted, for i < n.
kernel void copy_cast(global TO* dst, const Layout ld, global const TI* src, const Layout ls, const int n) {
    int i = get_global_id(0);
    if (i >= n) return;
    dst[layout_at(&ld, i)] = CONVERT_OUT(src[layout_at(&ls, i)]);
}
