// Batched matrix product C[b] = A[b] B[b] over strided operands (build options: T, the element
// type; TILE, the side of a work-group's square tile).
//
// Tiling: a TILE x TILE work-group computes one TILE x TILE block of C, one element per work
// item. The inner dimension is walked in steps of TILE; at each step the group loads the
// TILE x TILE block of A (its rows) and of B (its columns) into __local memory, each work item
// fetching one element of each, then every work item reads a row of A's tile and a column of B's
// tile from local memory. Each element of A and B is so read from global memory once per group
// instead of once per output, a factor TILE fewer global reads. Blocks that stick out of A or B
// are padded with zeros, which the inner loop never reads (it stops at k).
//
// Summation order: every element is c = fma(a_ip, b_pj, c) for p = 0, 1, ..., k - 1 from zero,
// the order of the CPU backend's blocked GEMM (PlainGemm), so float results agree with it up to
// the CPU's dot-product path for very narrow products. int64 (and bool, as the CPU reads it:
// 0/1 summed in int64, then != 0) accumulate exactly in long.
//
// Operands are read through their row and column strides, so a transposed view (a linear
// layer's W^T) needs no copy; a batch entry's first element is layout_at over the batch dims.

#pragma OPENCL FP_CONTRACT OFF

#if T_KIND == KIND_FLOAT || T_KIND == KIND_DOUBLE
typedef T Acc;
#define MAC(x, y, acc) fma(x, y, acc)
#define STORE(acc) (acc)
#else
typedef long Acc;
#define MAC(x, y, acc) ((acc) + (long) (x) * (long) (y))
#if T_KIND == KIND_BOOL
#define STORE(acc) ((uchar) ((acc) != 0))
#else
#define STORE(acc) (acc)
#endif
#endif

// Global range: [columns of C rounded up to TILE, rows of C rounded up to TILE, batch entries].
// la, lb: layouts of the batch dims of A and B (walked by batch entry); aRow/aCol, bRow/bCol:
// the strides of their last two dims. C is contiguous [batch, n, m].
kernel void matmul(global T* c, global const T* a, const Layout la, const int aRow, const int aCol,
                   global const T* b, const Layout lb, const int bRow, const int bCol,
                   const int n, const int k, const int m) {
    local T at[TILE][TILE];
    local T bt[TILE][TILE];
    const int tx = get_local_id(0), ty = get_local_id(1);
    const int col = get_group_id(0) * TILE + tx;
    const int row = get_group_id(1) * TILE + ty;
    const int entry = get_global_id(2);
    const int a0 = layout_at(&la, entry), b0 = layout_at(&lb, entry);
    Acc acc = 0;
    for (int p0 = 0; p0 < k; p0 += TILE) {
        const int pa = p0 + tx, pb = p0 + ty;
        at[ty][tx] = row < n && pa < k ? a[a0 + row * aRow + pa * aCol] : (T) 0;
        bt[ty][tx] = pb < k && col < m ? b[b0 + pb * bRow + col * bCol] : (T) 0;
        barrier(CLK_LOCAL_MEM_FENCE);
        const int len = min(TILE, k - p0);
        for (int p = 0; p < len; p++) acc = MAC(at[ty][p], bt[p][tx], acc);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (row < n && col < m) c[entry * n * m + row * m + col] = STORE(acc);
}
