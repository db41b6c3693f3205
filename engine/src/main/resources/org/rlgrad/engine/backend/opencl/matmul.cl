// Batched matrix product C[b] = A[b] B[b] over strided operands (build options: T, the element
// type; TILE, the side of a work-group of TILE x TILE work items).
//
// Tiling with register blocks: a work-group computes one BLOCK x BLOCK block of C, BLOCK =
// TILE * RB, each work item an RB x RB grid of it: rows ty, ty + TILE, ..., columns tx, tx + TILE,
// ... (interleaved, so that neighbouring work items touch neighbouring addresses). The inner
// dimension is walked in steps of TILE; at each step the group copies the BLOCK x TILE slab of A
// and the TILE x BLOCK slab of B into __local memory, every work item fetching its share of
// their elements, then each work item reads RB values of A's slab and RB of B's per inner step
// and does RB x RB multiply-adds on registers. Against one output per work item this reads local
// memory RB / 2 times less per multiply-add and global memory RB times less per output; slabs
// that stick out of A or B are padded with zeros, which the inner loop never reads (it stops at k).
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

#define RB 4
#define BLOCK (TILE * RB)

// Global range: [columns of C rounded up to BLOCK, divided by RB; rows likewise; batch entries],
// in work-groups of TILE x TILE x 1. la, lb: layouts of the batch dims of A and B (walked by batch
// entry); aRow/aCol, bRow/bCol: the strides of their last two dims. C is contiguous [batch, n, m].
kernel void matmul(global T* c, global const T* a, const Layout la, const int aRow, const int aCol,
                   global const T* b, const Layout lb, const int bRow, const int bCol,
                   const int n, const int k, const int m) {
    local T as[TILE][BLOCK]; // as[p][r]: A[row0 + r, p0 + p]
    local T bs[TILE][BLOCK]; // bs[p][q]: B[p0 + p, col0 + q]
    const int tx = get_local_id(0), ty = get_local_id(1);
    const int lid = ty * TILE + tx;
    const int col0 = get_group_id(0) * BLOCK, row0 = get_group_id(1) * BLOCK;
    const int entry = get_global_id(2);
    const int a0 = layout_at(&la, entry), b0 = layout_at(&lb, entry);
    Acc acc[RB][RB];
    for (int i = 0; i < RB; i++)
        for (int j = 0; j < RB; j++) acc[i][j] = 0;
    for (int p0 = 0; p0 < k; p0 += TILE) {
        for (int e = lid; e < TILE * BLOCK; e += TILE * TILE) {
            const int p = e / BLOCK, q = e % BLOCK;
            const int row = row0 + q, pa = p0 + p, col = col0 + q;
            as[p][q] = row < n && pa < k ? a[a0 + row * aRow + pa * aCol] : (T) 0;
            bs[p][q] = pa < k && col < m ? b[b0 + pa * bRow + col * bCol] : (T) 0;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        const int len = min(TILE, k - p0);
        for (int p = 0; p < len; p++) {
            T ar[RB], br[RB];
            for (int i = 0; i < RB; i++) ar[i] = as[p][ty + i * TILE];
            for (int j = 0; j < RB; j++) br[j] = bs[p][tx + j * TILE];
            for (int i = 0; i < RB; i++)
                for (int j = 0; j < RB; j++) acc[i][j] = MAC(ar[i], br[j], acc[i][j]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int i = 0; i < RB; i++) {
        const int row = row0 + ty + i * TILE;
        for (int j = 0; j < RB; j++) {
            const int col = col0 + tx + j * TILE;
            if (row < n && col < m) c[entry * n * m + row * m + col] = STORE(acc[i][j]);
        }
    }
}
