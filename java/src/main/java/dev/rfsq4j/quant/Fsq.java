package dev.rfsq4j.quant;

import static dev.rfsq4j.internal.Checks.expect;
import static dev.rfsq4j.internal.Checks.sameDevice;
import static dev.rfsq4j.quant.Ops.in;
import static dev.rfsq4j.quant.Ops.run;

import dev.rfsq4j.internal.Checks;
import dev.rfsq4j.DType;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.bindings.rfsq_h;
import dev.rfsq4j.bindings.rfsq_levels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Finite scalar quantization (spec §1) of NCHW latents, one level count per channel. Outputs are allocated in the
 * input's scope. On CUDA, bad data (NaN input, out-of-range index) surfaces at the next sync or host copy.
 */
public final class Fsq {
    /** Codes (B,C,H,W) float32 on the FSQ grid and their indices (B,H,W) int32. */
    public record Output(Tensor codes, Tensor indices) {}

    private final Levels levels;
    private final MemorySegment struct;

    public Fsq(Levels levels) {
        this.levels = levels;
        // Read-only by native code; kept for the lifetime of this object.
        this.struct = rfsq_levels.allocate(Arena.ofAuto());
        levels.writeTo(struct);
    }

    public Levels levels() {
        return levels;
    }

    /** Quantizes x (B,C,H,W) to codes and indices. */
    public Output forward(Tensor x) {
        expectLatent(x, "x");
        long b = x.dim(0), h = x.dim(2), w = x.dim(3);
        Scope scope = x.scope();
        Tensor codes = scope.allocate(DType.F32, x.shape());
        Tensor idx = scope.allocate(DType.I32, b, h, w);
        run(x.device(), "rfsq_fsq_forward",
                ctx -> rfsq_h.rfsq_fsq_forward(ctx, struct, x.address(), b, h, w, codes.address(), idx.address()),
                in(x), codes, idx);
        return new Output(codes, idx);
    }

    /** Straight-through backward: dx = dcodes * d bound(x)/dx / floor(L/2). */
    public Tensor backward(Tensor x, Tensor dcodes) {
        expectLatent(x, "x");
        expect(dcodes, "dcodes", DType.F32, " like x", Checks.exactly(x.shape()));
        sameDevice(x.device(), "dcodes", dcodes);
        long b = x.dim(0), h = x.dim(2), w = x.dim(3);
        Tensor dx = x.scope().allocate(DType.F32, x.shape());
        run(x.device(), "rfsq_fsq_backward",
                ctx -> rfsq_h.rfsq_fsq_backward(ctx, struct, x.address(), b, h, w, dcodes.address(), dx.address()),
                in(x, dcodes), dx);
        return dx;
    }

    /** Codes (B,C,H,W) on the FSQ grid to indices (B,H,W), channel 0 least significant; off-grid codes fail. */
    public Tensor codesToIndices(Tensor codes) {
        expectLatent(codes, "codes");
        long b = codes.dim(0), h = codes.dim(2), w = codes.dim(3);
        Tensor idx = codes.scope().allocate(DType.I32, b, h, w);
        run(codes.device(), "rfsq_fsq_codes_to_indices",
                ctx -> rfsq_h.rfsq_fsq_codes_to_indices(ctx, struct, codes.address(), b, h, w, idx.address()),
                in(codes), idx);
        return idx;
    }

    /** Indices (B,H,W) to codes (B,C,H,W); an index outside [0, codebook size) fails with RFSQ_E_RANGE. */
    public Tensor indicesToCodes(Tensor indices) {
        expect(indices, "indices", DType.I32, " for levels " + levels, "B", "H", "W");
        long b = indices.dim(0), h = indices.dim(1), w = indices.dim(2);
        Tensor codes = indices.scope().allocate(DType.F32, b, levels.count(), h, w);
        run(indices.device(), "rfsq_fsq_indices_to_codes",
                ctx -> rfsq_h.rfsq_fsq_indices_to_codes(ctx, struct, indices.address(), b, h, w, codes.address()),
                in(indices), codes);
        return codes;
    }

    private void expectLatent(Tensor t, String name) {
        expect(t, name, DType.F32, " for levels " + levels, "B", levels.count(), "H", "W");
    }
}
