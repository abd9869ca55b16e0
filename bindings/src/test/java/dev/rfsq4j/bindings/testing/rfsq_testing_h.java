// In jextract 22's output shape for native/include/rfsq_testing.h; regenerate with bindings/jextract.sh.
// HeaderConformanceTest checks this file against the header.

package dev.rfsq4j.bindings.testing;

import dev.rfsq4j.bindings.RfsqLibrary;
import java.lang.invoke.*;
import java.lang.foreign.*;
import java.nio.ByteOrder;
import java.util.*;
import java.util.function.*;
import java.util.stream.*;

import static java.lang.foreign.ValueLayout.*;
import static java.lang.foreign.MemoryLayout.PathElement.*;

public class rfsq_testing_h {

    rfsq_testing_h() {
        // Should not be called directly
    }

    static final boolean TRACE_DOWNCALLS = Boolean.getBoolean("jextract.trace.downcalls");

    static void traceDowncall(String name, Object... args) {
         String traceArgs = Arrays.stream(args)
                       .map(Object::toString)
                       .collect(Collectors.joining(", "));
         System.out.printf("%s(%s)\n", name, traceArgs);
    }

    static MemorySegment findOrThrow(String symbol) {
        return SYMBOL_LOOKUP.find(symbol)
            .orElseThrow(() -> RfsqLibrary.unresolved(symbol));
    }

    // Loads librfsq on the first symbol lookup, not when a constant is read.
    static final SymbolLookup SYMBOL_LOOKUP = RfsqLibrary::find;

    public static final ValueLayout.OfBoolean C_BOOL = ValueLayout.JAVA_BOOLEAN;
    public static final ValueLayout.OfByte C_CHAR = ValueLayout.JAVA_BYTE;
    public static final ValueLayout.OfShort C_SHORT = ValueLayout.JAVA_SHORT;
    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfLong C_LONG_LONG = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfFloat C_FLOAT = ValueLayout.JAVA_FLOAT;
    public static final ValueLayout.OfDouble C_DOUBLE = ValueLayout.JAVA_DOUBLE;
    public static final AddressLayout C_POINTER = ValueLayout.ADDRESS
            .withTargetLayout(MemoryLayout.sequenceLayout(java.lang.Long.MAX_VALUE, JAVA_BYTE));
    public static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;

    private static class rfsq_residual_sub {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_testing_h.C_INT,
            rfsq_testing_h.C_POINTER,
            rfsq_testing_h.C_POINTER,
            rfsq_testing_h.C_POINTER,
            rfsq_testing_h.C_LONG,
            rfsq_testing_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_testing_h.findOrThrow("rfsq_residual_sub");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_residual_sub(rfsq_ctx *ctx, const float *r, const float *q, int64_t n, float *out)
     * }
     */
    public static FunctionDescriptor rfsq_residual_sub$descriptor() {
        return rfsq_residual_sub.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_residual_sub(rfsq_ctx *ctx, const float *r, const float *q, int64_t n, float *out)
     * }
     */
    public static MethodHandle rfsq_residual_sub$handle() {
        return rfsq_residual_sub.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_residual_sub(rfsq_ctx *ctx, const float *r, const float *q, int64_t n, float *out)
     * }
     */
    public static MemorySegment rfsq_residual_sub$address() {
        return rfsq_residual_sub.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_residual_sub(rfsq_ctx *ctx, const float *r, const float *q, int64_t n, float *out)
     * }
     */
    public static int rfsq_residual_sub(MemorySegment ctx, MemorySegment r, MemorySegment q, long n, MemorySegment out) {
        var mh$ = rfsq_residual_sub.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_residual_sub", ctx, r, q, n, out);
            }
            return (int)mh$.invokeExact(ctx, r, q, n, out);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_scale_forward {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_testing_h.C_INT,
            rfsq_testing_h.C_POINTER,
            rfsq_testing_h.C_POINTER,
            rfsq_testing_h.C_POINTER,
            rfsq_testing_h.C_POINTER,
            rfsq_testing_h.C_LONG,
            rfsq_testing_h.C_LONG,
            rfsq_testing_h.C_LONG,
            rfsq_testing_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_testing_h.findOrThrow("rfsq_scale_forward");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_scale_forward(rfsq_ctx *ctx, const rfsq_levels *levels, const float *theta, const float *x, int64_t b, int64_t h, int64_t w, float *q)
     * }
     */
    public static FunctionDescriptor rfsq_scale_forward$descriptor() {
        return rfsq_scale_forward.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_scale_forward(rfsq_ctx *ctx, const rfsq_levels *levels, const float *theta, const float *x, int64_t b, int64_t h, int64_t w, float *q)
     * }
     */
    public static MethodHandle rfsq_scale_forward$handle() {
        return rfsq_scale_forward.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_scale_forward(rfsq_ctx *ctx, const rfsq_levels *levels, const float *theta, const float *x, int64_t b, int64_t h, int64_t w, float *q)
     * }
     */
    public static MemorySegment rfsq_scale_forward$address() {
        return rfsq_scale_forward.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_scale_forward(rfsq_ctx *ctx, const rfsq_levels *levels, const float *theta, const float *x, int64_t b, int64_t h, int64_t w, float *q)
     * }
     */
    public static int rfsq_scale_forward(MemorySegment ctx, MemorySegment levels, MemorySegment theta, MemorySegment x, long b, long h, long w, MemorySegment q) {
        var mh$ = rfsq_scale_forward.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_scale_forward", ctx, levels, theta, x, b, h, w, q);
            }
            return (int)mh$.invokeExact(ctx, levels, theta, x, b, h, w, q);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_layernorm_forward {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_testing_h.C_INT,
            rfsq_testing_h.C_POINTER,
            rfsq_testing_h.C_POINTER,
            rfsq_testing_h.C_LONG,
            rfsq_testing_h.C_LONG,
            rfsq_testing_h.C_LONG,
            rfsq_testing_h.C_LONG,
            rfsq_testing_h.C_POINTER,
            rfsq_testing_h.C_POINTER,
            rfsq_testing_h.C_POINTER,
            rfsq_testing_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_testing_h.findOrThrow("rfsq_layernorm_forward");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_layernorm_forward(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, const float *gamma, const float *beta, float *n, float *stats)
     * }
     */
    public static FunctionDescriptor rfsq_layernorm_forward$descriptor() {
        return rfsq_layernorm_forward.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_layernorm_forward(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, const float *gamma, const float *beta, float *n, float *stats)
     * }
     */
    public static MethodHandle rfsq_layernorm_forward$handle() {
        return rfsq_layernorm_forward.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_layernorm_forward(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, const float *gamma, const float *beta, float *n, float *stats)
     * }
     */
    public static MemorySegment rfsq_layernorm_forward$address() {
        return rfsq_layernorm_forward.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_layernorm_forward(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, const float *gamma, const float *beta, float *n, float *stats)
     * }
     */
    public static int rfsq_layernorm_forward(MemorySegment ctx, MemorySegment x, long b, long c, long h, long w, MemorySegment gamma, MemorySegment beta, MemorySegment n, MemorySegment stats) {
        var mh$ = rfsq_layernorm_forward.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_layernorm_forward", ctx, x, b, c, h, w, gamma, beta, n, stats);
            }
            return (int)mh$.invokeExact(ctx, x, b, c, h, w, gamma, beta, n, stats);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_layernorm_inverse {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_testing_h.C_INT,
            rfsq_testing_h.C_POINTER,
            rfsq_testing_h.C_POINTER,
            rfsq_testing_h.C_LONG,
            rfsq_testing_h.C_LONG,
            rfsq_testing_h.C_LONG,
            rfsq_testing_h.C_LONG,
            rfsq_testing_h.C_POINTER,
            rfsq_testing_h.C_POINTER,
            rfsq_testing_h.C_POINTER,
            rfsq_testing_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_testing_h.findOrThrow("rfsq_layernorm_inverse");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_layernorm_inverse(rfsq_ctx *ctx, const float *y, int64_t b, int64_t c, int64_t h, int64_t w, const float *gamma, const float *beta, const float *stats, float *out)
     * }
     */
    public static FunctionDescriptor rfsq_layernorm_inverse$descriptor() {
        return rfsq_layernorm_inverse.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_layernorm_inverse(rfsq_ctx *ctx, const float *y, int64_t b, int64_t c, int64_t h, int64_t w, const float *gamma, const float *beta, const float *stats, float *out)
     * }
     */
    public static MethodHandle rfsq_layernorm_inverse$handle() {
        return rfsq_layernorm_inverse.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_layernorm_inverse(rfsq_ctx *ctx, const float *y, int64_t b, int64_t c, int64_t h, int64_t w, const float *gamma, const float *beta, const float *stats, float *out)
     * }
     */
    public static MemorySegment rfsq_layernorm_inverse$address() {
        return rfsq_layernorm_inverse.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_layernorm_inverse(rfsq_ctx *ctx, const float *y, int64_t b, int64_t c, int64_t h, int64_t w, const float *gamma, const float *beta, const float *stats, float *out)
     * }
     */
    public static int rfsq_layernorm_inverse(MemorySegment ctx, MemorySegment y, long b, long c, long h, long w, MemorySegment gamma, MemorySegment beta, MemorySegment stats, MemorySegment out) {
        var mh$ = rfsq_layernorm_inverse.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_layernorm_inverse", ctx, y, b, c, h, w, gamma, beta, stats, out);
            }
            return (int)mh$.invokeExact(ctx, y, b, c, h, w, gamma, beta, stats, out);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }
}
