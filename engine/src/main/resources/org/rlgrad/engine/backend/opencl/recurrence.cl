// The first-order linear recurrence y_t = x_t + a_t * y_{t+1} (reverse) or y_t = x_t + a_t * y_{t-1}
// along rows (build option T, the element type; the host moves the dim last, so element j of row r
// is element r * len + j of the walk over each Layout). One work item per row, sequential in time:
// the recurrence is a scan whose steps depend on each other, and rows are what runs in parallel.
// The carry is a double wherever the device has one (HAS_FP64), as the CPU backend carries it, and
// multiply-adds are not fused, so that the two backends round alike.

#pragma OPENCL FP_CONTRACT OFF

#ifdef HAS_FP64
typedef double Carry;
#else
typedef T Carry;
#endif

kernel void linear_recurrence(global T* out, const Layout lo, global const T* x, const Layout lx, global const T* a,
                              const Layout la, const int rows, const int len, const int reverse) {
    const int r = get_global_id(0);
    if (r >= rows) return;
    Carry carry = 0;
    for (int k = 0; k < len; k++) {
        const int i = r * len + (reverse ? len - 1 - k : k);
        carry = (Carry) x[layout_at(&lx, i)] + (Carry) a[layout_at(&la, i)] * carry;
        out[layout_at(&lo, i)] = (T) carry;
    }
}
