// In jextract 22's output shape for native/include/rfsq.h; regenerate with bindings/jextract.sh.
// HeaderConformanceTest checks this file against the header.

package dev.rfsq4j.bindings;

import java.lang.invoke.*;
import java.lang.foreign.*;
import java.nio.ByteOrder;
import java.util.*;
import java.util.function.*;
import java.util.stream.*;

import static java.lang.foreign.ValueLayout.*;
import static java.lang.foreign.MemoryLayout.PathElement.*;

public class rfsq_h {

    rfsq_h() {
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
    private static final int RFSQ_ABI_VERSION = (int)6L;
    /**
     * {@snippet lang=c :
     * #define RFSQ_ABI_VERSION 6
     * }
     */
    public static int RFSQ_ABI_VERSION() {
        return RFSQ_ABI_VERSION;
    }
    private static final int RFSQ_OK = (int)0L;
    /**
     * {@snippet lang=c :
     * #define RFSQ_OK 0
     * }
     */
    public static int RFSQ_OK() {
        return RFSQ_OK;
    }
    private static final int RFSQ_E_INVALID = (int)-1L;
    /**
     * {@snippet lang=c :
     * #define RFSQ_E_INVALID -1
     * }
     */
    public static int RFSQ_E_INVALID() {
        return RFSQ_E_INVALID;
    }
    private static final int RFSQ_E_NO_DEVICE = (int)-2L;
    /**
     * {@snippet lang=c :
     * #define RFSQ_E_NO_DEVICE -2
     * }
     */
    public static int RFSQ_E_NO_DEVICE() {
        return RFSQ_E_NO_DEVICE;
    }
    private static final int RFSQ_E_CUDA = (int)-3L;
    /**
     * {@snippet lang=c :
     * #define RFSQ_E_CUDA -3
     * }
     */
    public static int RFSQ_E_CUDA() {
        return RFSQ_E_CUDA;
    }
    private static final int RFSQ_E_NOMEM = (int)-4L;
    /**
     * {@snippet lang=c :
     * #define RFSQ_E_NOMEM -4
     * }
     */
    public static int RFSQ_E_NOMEM() {
        return RFSQ_E_NOMEM;
    }
    private static final int RFSQ_E_NONFINITE = (int)-5L;
    /**
     * {@snippet lang=c :
     * #define RFSQ_E_NONFINITE -5
     * }
     */
    public static int RFSQ_E_NONFINITE() {
        return RFSQ_E_NONFINITE;
    }
    private static final int RFSQ_E_RANGE = (int)-6L;
    /**
     * {@snippet lang=c :
     * #define RFSQ_E_RANGE -6
     * }
     */
    public static int RFSQ_E_RANGE() {
        return RFSQ_E_RANGE;
    }
    private static final int RFSQ_DEVICE_CPU = (int)-1L;
    /**
     * {@snippet lang=c :
     * #define RFSQ_DEVICE_CPU -1
     * }
     */
    public static int RFSQ_DEVICE_CPU() {
        return RFSQ_DEVICE_CPU;
    }
    private static final int RFSQ_CPU_ISA_BASELINE = (int)0L;
    /**
     * {@snippet lang=c :
     * #define RFSQ_CPU_ISA_BASELINE 0
     * }
     */
    public static int RFSQ_CPU_ISA_BASELINE() {
        return RFSQ_CPU_ISA_BASELINE;
    }
    private static final int RFSQ_CPU_ISA_AVX2 = (int)1L;
    /**
     * {@snippet lang=c :
     * #define RFSQ_CPU_ISA_AVX2 1
     * }
     */
    public static int RFSQ_CPU_ISA_AVX2() {
        return RFSQ_CPU_ISA_AVX2;
    }
    private static final int RFSQ_CPU_ISA_AVX512 = (int)2L;
    /**
     * {@snippet lang=c :
     * #define RFSQ_CPU_ISA_AVX512 2
     * }
     */
    public static int RFSQ_CPU_ISA_AVX512() {
        return RFSQ_CPU_ISA_AVX512;
    }
    private static final int RFSQ_MAX_LEVELS = (int)16L;
    /**
     * {@snippet lang=c :
     * #define RFSQ_MAX_LEVELS 16
     * }
     */
    public static int RFSQ_MAX_LEVELS() {
        return RFSQ_MAX_LEVELS;
    }
    private static final int RFSQ_MAX_STAGES = (int)16L;
    /**
     * {@snippet lang=c :
     * #define RFSQ_MAX_STAGES 16
     * }
     */
    public static int RFSQ_MAX_STAGES() {
        return RFSQ_MAX_STAGES;
    }
    private static final int RFSQ_STRATEGY_NONE = (int)0L;
    /**
     * {@snippet lang=c :
     * #define RFSQ_STRATEGY_NONE 0
     * }
     */
    public static int RFSQ_STRATEGY_NONE() {
        return RFSQ_STRATEGY_NONE;
    }
    private static final int RFSQ_STRATEGY_SCALE = (int)1L;
    /**
     * {@snippet lang=c :
     * #define RFSQ_STRATEGY_SCALE 1
     * }
     */
    public static int RFSQ_STRATEGY_SCALE() {
        return RFSQ_STRATEGY_SCALE;
    }
    private static final int RFSQ_STRATEGY_LAYERNORM = (int)2L;
    /**
     * {@snippet lang=c :
     * #define RFSQ_STRATEGY_LAYERNORM 2
     * }
     */
    public static int RFSQ_STRATEGY_LAYERNORM() {
        return RFSQ_STRATEGY_LAYERNORM;
    }
    private static final int RFSQ_CONV_X_BLOCKED = (int)1L;
    /**
     * {@snippet lang=c :
     * #define RFSQ_CONV_X_BLOCKED 1
     * }
     */
    public static int RFSQ_CONV_X_BLOCKED() {
        return RFSQ_CONV_X_BLOCKED;
    }
    private static final int RFSQ_CONV_Y_BLOCKED = (int)2L;
    /**
     * {@snippet lang=c :
     * #define RFSQ_CONV_Y_BLOCKED 2
     * }
     */
    public static int RFSQ_CONV_Y_BLOCKED() {
        return RFSQ_CONV_Y_BLOCKED;
    }
    private static final int RFSQ_CONV_RELU = (int)4L;
    /**
     * {@snippet lang=c :
     * #define RFSQ_CONV_RELU 4
     * }
     */
    public static int RFSQ_CONV_RELU() {
        return RFSQ_CONV_RELU;
    }
    private static final int RFSQ_CONV_RELU_X = (int)8L;
    /**
     * {@snippet lang=c :
     * #define RFSQ_CONV_RELU_X 8
     * }
     */
    public static int RFSQ_CONV_RELU_X() {
        return RFSQ_CONV_RELU_X;
    }

    private static class rfsq_abi_version {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_abi_version");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_abi_version()
     * }
     */
    public static FunctionDescriptor rfsq_abi_version$descriptor() {
        return rfsq_abi_version.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_abi_version()
     * }
     */
    public static MethodHandle rfsq_abi_version$handle() {
        return rfsq_abi_version.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_abi_version()
     * }
     */
    public static MemorySegment rfsq_abi_version$address() {
        return rfsq_abi_version.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_abi_version()
     * }
     */
    public static int rfsq_abi_version() {
        var mh$ = rfsq_abi_version.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_abi_version");
            }
            return (int)mh$.invokeExact();
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_last_error {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_last_error");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * const char *rfsq_last_error()
     * }
     */
    public static FunctionDescriptor rfsq_last_error$descriptor() {
        return rfsq_last_error.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * const char *rfsq_last_error()
     * }
     */
    public static MethodHandle rfsq_last_error$handle() {
        return rfsq_last_error.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * const char *rfsq_last_error()
     * }
     */
    public static MemorySegment rfsq_last_error$address() {
        return rfsq_last_error.ADDR;
    }

    /**
     * {@snippet lang=c :
     * const char *rfsq_last_error()
     * }
     */
    public static MemorySegment rfsq_last_error() {
        var mh$ = rfsq_last_error.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_last_error");
            }
            return (MemorySegment)mh$.invokeExact();
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_cuda_device_count {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_cuda_device_count");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_cuda_device_count(int32_t *count)
     * }
     */
    public static FunctionDescriptor rfsq_cuda_device_count$descriptor() {
        return rfsq_cuda_device_count.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_cuda_device_count(int32_t *count)
     * }
     */
    public static MethodHandle rfsq_cuda_device_count$handle() {
        return rfsq_cuda_device_count.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_cuda_device_count(int32_t *count)
     * }
     */
    public static MemorySegment rfsq_cuda_device_count$address() {
        return rfsq_cuda_device_count.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_cuda_device_count(int32_t *count)
     * }
     */
    public static int rfsq_cuda_device_count(MemorySegment count) {
        var mh$ = rfsq_cuda_device_count.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_cuda_device_count", count);
            }
            return (int)mh$.invokeExact(count);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_live_objects {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_live_objects");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_live_objects(int64_t *count)
     * }
     */
    public static FunctionDescriptor rfsq_live_objects$descriptor() {
        return rfsq_live_objects.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_live_objects(int64_t *count)
     * }
     */
    public static MethodHandle rfsq_live_objects$handle() {
        return rfsq_live_objects.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_live_objects(int64_t *count)
     * }
     */
    public static MemorySegment rfsq_live_objects$address() {
        return rfsq_live_objects.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_live_objects(int64_t *count)
     * }
     */
    public static int rfsq_live_objects(MemorySegment count) {
        var mh$ = rfsq_live_objects.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_live_objects", count);
            }
            return (int)mh$.invokeExact(count);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_set_cpu_threads {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_INT
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_set_cpu_threads");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_set_cpu_threads(int32_t n)
     * }
     */
    public static FunctionDescriptor rfsq_set_cpu_threads$descriptor() {
        return rfsq_set_cpu_threads.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_set_cpu_threads(int32_t n)
     * }
     */
    public static MethodHandle rfsq_set_cpu_threads$handle() {
        return rfsq_set_cpu_threads.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_set_cpu_threads(int32_t n)
     * }
     */
    public static MemorySegment rfsq_set_cpu_threads$address() {
        return rfsq_set_cpu_threads.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_set_cpu_threads(int32_t n)
     * }
     */
    public static int rfsq_set_cpu_threads(int n) {
        var mh$ = rfsq_set_cpu_threads.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_set_cpu_threads", n);
            }
            return (int)mh$.invokeExact(n);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_cpu_threads {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_cpu_threads");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_cpu_threads(int32_t *out)
     * }
     */
    public static FunctionDescriptor rfsq_cpu_threads$descriptor() {
        return rfsq_cpu_threads.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_cpu_threads(int32_t *out)
     * }
     */
    public static MethodHandle rfsq_cpu_threads$handle() {
        return rfsq_cpu_threads.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_cpu_threads(int32_t *out)
     * }
     */
    public static MemorySegment rfsq_cpu_threads$address() {
        return rfsq_cpu_threads.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_cpu_threads(int32_t *out)
     * }
     */
    public static int rfsq_cpu_threads(MemorySegment out) {
        var mh$ = rfsq_cpu_threads.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_cpu_threads", out);
            }
            return (int)mh$.invokeExact(out);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_ctx_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_INT,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_ctx_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_ctx_create(int32_t device, rfsq_ctx **out)
     * }
     */
    public static FunctionDescriptor rfsq_ctx_create$descriptor() {
        return rfsq_ctx_create.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_ctx_create(int32_t device, rfsq_ctx **out)
     * }
     */
    public static MethodHandle rfsq_ctx_create$handle() {
        return rfsq_ctx_create.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_ctx_create(int32_t device, rfsq_ctx **out)
     * }
     */
    public static MemorySegment rfsq_ctx_create$address() {
        return rfsq_ctx_create.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_ctx_create(int32_t device, rfsq_ctx **out)
     * }
     */
    public static int rfsq_ctx_create(int device, MemorySegment out) {
        var mh$ = rfsq_ctx_create.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_ctx_create", device, out);
            }
            return (int)mh$.invokeExact(device, out);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_ctx_destroy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_ctx_destroy");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_ctx_destroy(rfsq_ctx *ctx)
     * }
     */
    public static FunctionDescriptor rfsq_ctx_destroy$descriptor() {
        return rfsq_ctx_destroy.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_ctx_destroy(rfsq_ctx *ctx)
     * }
     */
    public static MethodHandle rfsq_ctx_destroy$handle() {
        return rfsq_ctx_destroy.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_ctx_destroy(rfsq_ctx *ctx)
     * }
     */
    public static MemorySegment rfsq_ctx_destroy$address() {
        return rfsq_ctx_destroy.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_ctx_destroy(rfsq_ctx *ctx)
     * }
     */
    public static int rfsq_ctx_destroy(MemorySegment ctx) {
        var mh$ = rfsq_ctx_destroy.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_ctx_destroy", ctx);
            }
            return (int)mh$.invokeExact(ctx);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_ctx_sync {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_ctx_sync");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_ctx_sync(rfsq_ctx *ctx)
     * }
     */
    public static FunctionDescriptor rfsq_ctx_sync$descriptor() {
        return rfsq_ctx_sync.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_ctx_sync(rfsq_ctx *ctx)
     * }
     */
    public static MethodHandle rfsq_ctx_sync$handle() {
        return rfsq_ctx_sync.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_ctx_sync(rfsq_ctx *ctx)
     * }
     */
    public static MemorySegment rfsq_ctx_sync$address() {
        return rfsq_ctx_sync.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_ctx_sync(rfsq_ctx *ctx)
     * }
     */
    public static int rfsq_ctx_sync(MemorySegment ctx) {
        var mh$ = rfsq_ctx_sync.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_ctx_sync", ctx);
            }
            return (int)mh$.invokeExact(ctx);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_ctx_cpu_isa {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_ctx_cpu_isa");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_ctx_cpu_isa(rfsq_ctx *ctx, int32_t *isa)
     * }
     */
    public static FunctionDescriptor rfsq_ctx_cpu_isa$descriptor() {
        return rfsq_ctx_cpu_isa.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_ctx_cpu_isa(rfsq_ctx *ctx, int32_t *isa)
     * }
     */
    public static MethodHandle rfsq_ctx_cpu_isa$handle() {
        return rfsq_ctx_cpu_isa.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_ctx_cpu_isa(rfsq_ctx *ctx, int32_t *isa)
     * }
     */
    public static MemorySegment rfsq_ctx_cpu_isa$address() {
        return rfsq_ctx_cpu_isa.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_ctx_cpu_isa(rfsq_ctx *ctx, int32_t *isa)
     * }
     */
    public static int rfsq_ctx_cpu_isa(MemorySegment ctx, MemorySegment isa) {
        var mh$ = rfsq_ctx_cpu_isa.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_ctx_cpu_isa", ctx, isa);
            }
            return (int)mh$.invokeExact(ctx, isa);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_alloc {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_alloc");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_alloc(rfsq_ctx *ctx, int64_t bytes, void **out)
     * }
     */
    public static FunctionDescriptor rfsq_alloc$descriptor() {
        return rfsq_alloc.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_alloc(rfsq_ctx *ctx, int64_t bytes, void **out)
     * }
     */
    public static MethodHandle rfsq_alloc$handle() {
        return rfsq_alloc.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_alloc(rfsq_ctx *ctx, int64_t bytes, void **out)
     * }
     */
    public static MemorySegment rfsq_alloc$address() {
        return rfsq_alloc.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_alloc(rfsq_ctx *ctx, int64_t bytes, void **out)
     * }
     */
    public static int rfsq_alloc(MemorySegment ctx, long bytes, MemorySegment out) {
        var mh$ = rfsq_alloc.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_alloc", ctx, bytes, out);
            }
            return (int)mh$.invokeExact(ctx, bytes, out);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_free {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_free");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_free(rfsq_ctx *ctx, void *ptr)
     * }
     */
    public static FunctionDescriptor rfsq_free$descriptor() {
        return rfsq_free.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_free(rfsq_ctx *ctx, void *ptr)
     * }
     */
    public static MethodHandle rfsq_free$handle() {
        return rfsq_free.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_free(rfsq_ctx *ctx, void *ptr)
     * }
     */
    public static MemorySegment rfsq_free$address() {
        return rfsq_free.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_free(rfsq_ctx *ctx, void *ptr)
     * }
     */
    public static int rfsq_free(MemorySegment ctx, MemorySegment ptr) {
        var mh$ = rfsq_free.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_free", ctx, ptr);
            }
            return (int)mh$.invokeExact(ctx, ptr);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_copy_to_device {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_copy_to_device");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_copy_to_device(rfsq_ctx *ctx, void *dst, const void *src, int64_t bytes)
     * }
     */
    public static FunctionDescriptor rfsq_copy_to_device$descriptor() {
        return rfsq_copy_to_device.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_copy_to_device(rfsq_ctx *ctx, void *dst, const void *src, int64_t bytes)
     * }
     */
    public static MethodHandle rfsq_copy_to_device$handle() {
        return rfsq_copy_to_device.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_copy_to_device(rfsq_ctx *ctx, void *dst, const void *src, int64_t bytes)
     * }
     */
    public static MemorySegment rfsq_copy_to_device$address() {
        return rfsq_copy_to_device.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_copy_to_device(rfsq_ctx *ctx, void *dst, const void *src, int64_t bytes)
     * }
     */
    public static int rfsq_copy_to_device(MemorySegment ctx, MemorySegment dst, MemorySegment src, long bytes) {
        var mh$ = rfsq_copy_to_device.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_copy_to_device", ctx, dst, src, bytes);
            }
            return (int)mh$.invokeExact(ctx, dst, src, bytes);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_copy_to_host {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_copy_to_host");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_copy_to_host(rfsq_ctx *ctx, void *dst, const void *src, int64_t bytes)
     * }
     */
    public static FunctionDescriptor rfsq_copy_to_host$descriptor() {
        return rfsq_copy_to_host.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_copy_to_host(rfsq_ctx *ctx, void *dst, const void *src, int64_t bytes)
     * }
     */
    public static MethodHandle rfsq_copy_to_host$handle() {
        return rfsq_copy_to_host.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_copy_to_host(rfsq_ctx *ctx, void *dst, const void *src, int64_t bytes)
     * }
     */
    public static MemorySegment rfsq_copy_to_host$address() {
        return rfsq_copy_to_host.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_copy_to_host(rfsq_ctx *ctx, void *dst, const void *src, int64_t bytes)
     * }
     */
    public static int rfsq_copy_to_host(MemorySegment ctx, MemorySegment dst, MemorySegment src, long bytes) {
        var mh$ = rfsq_copy_to_host.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_copy_to_host", ctx, dst, src, bytes);
            }
            return (int)mh$.invokeExact(ctx, dst, src, bytes);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_copy_on_device {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_copy_on_device");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_copy_on_device(rfsq_ctx *ctx, void *dst, const void *src, int64_t bytes)
     * }
     */
    public static FunctionDescriptor rfsq_copy_on_device$descriptor() {
        return rfsq_copy_on_device.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_copy_on_device(rfsq_ctx *ctx, void *dst, const void *src, int64_t bytes)
     * }
     */
    public static MethodHandle rfsq_copy_on_device$handle() {
        return rfsq_copy_on_device.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_copy_on_device(rfsq_ctx *ctx, void *dst, const void *src, int64_t bytes)
     * }
     */
    public static MemorySegment rfsq_copy_on_device$address() {
        return rfsq_copy_on_device.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_copy_on_device(rfsq_ctx *ctx, void *dst, const void *src, int64_t bytes)
     * }
     */
    public static int rfsq_copy_on_device(MemorySegment ctx, MemorySegment dst, MemorySegment src, long bytes) {
        var mh$ = rfsq_copy_on_device.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_copy_on_device", ctx, dst, src, bytes);
            }
            return (int)mh$.invokeExact(ctx, dst, src, bytes);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_graph_begin {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_graph_begin");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_graph_begin(rfsq_ctx *ctx)
     * }
     */
    public static FunctionDescriptor rfsq_graph_begin$descriptor() {
        return rfsq_graph_begin.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_graph_begin(rfsq_ctx *ctx)
     * }
     */
    public static MethodHandle rfsq_graph_begin$handle() {
        return rfsq_graph_begin.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_graph_begin(rfsq_ctx *ctx)
     * }
     */
    public static MemorySegment rfsq_graph_begin$address() {
        return rfsq_graph_begin.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_graph_begin(rfsq_ctx *ctx)
     * }
     */
    public static int rfsq_graph_begin(MemorySegment ctx) {
        var mh$ = rfsq_graph_begin.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_graph_begin", ctx);
            }
            return (int)mh$.invokeExact(ctx);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_graph_end {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_graph_end");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_graph_end(rfsq_ctx *ctx, rfsq_graph **out)
     * }
     */
    public static FunctionDescriptor rfsq_graph_end$descriptor() {
        return rfsq_graph_end.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_graph_end(rfsq_ctx *ctx, rfsq_graph **out)
     * }
     */
    public static MethodHandle rfsq_graph_end$handle() {
        return rfsq_graph_end.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_graph_end(rfsq_ctx *ctx, rfsq_graph **out)
     * }
     */
    public static MemorySegment rfsq_graph_end$address() {
        return rfsq_graph_end.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_graph_end(rfsq_ctx *ctx, rfsq_graph **out)
     * }
     */
    public static int rfsq_graph_end(MemorySegment ctx, MemorySegment out) {
        var mh$ = rfsq_graph_end.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_graph_end", ctx, out);
            }
            return (int)mh$.invokeExact(ctx, out);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_graph_launch {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_graph_launch");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_graph_launch(rfsq_ctx *ctx, rfsq_graph *graph)
     * }
     */
    public static FunctionDescriptor rfsq_graph_launch$descriptor() {
        return rfsq_graph_launch.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_graph_launch(rfsq_ctx *ctx, rfsq_graph *graph)
     * }
     */
    public static MethodHandle rfsq_graph_launch$handle() {
        return rfsq_graph_launch.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_graph_launch(rfsq_ctx *ctx, rfsq_graph *graph)
     * }
     */
    public static MemorySegment rfsq_graph_launch$address() {
        return rfsq_graph_launch.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_graph_launch(rfsq_ctx *ctx, rfsq_graph *graph)
     * }
     */
    public static int rfsq_graph_launch(MemorySegment ctx, MemorySegment graph) {
        var mh$ = rfsq_graph_launch.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_graph_launch", ctx, graph);
            }
            return (int)mh$.invokeExact(ctx, graph);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_graph_destroy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_graph_destroy");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_graph_destroy(rfsq_graph *graph)
     * }
     */
    public static FunctionDescriptor rfsq_graph_destroy$descriptor() {
        return rfsq_graph_destroy.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_graph_destroy(rfsq_graph *graph)
     * }
     */
    public static MethodHandle rfsq_graph_destroy$handle() {
        return rfsq_graph_destroy.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_graph_destroy(rfsq_graph *graph)
     * }
     */
    public static MemorySegment rfsq_graph_destroy$address() {
        return rfsq_graph_destroy.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_graph_destroy(rfsq_graph *graph)
     * }
     */
    public static int rfsq_graph_destroy(MemorySegment graph) {
        var mh$ = rfsq_graph_destroy.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_graph_destroy", graph);
            }
            return (int)mh$.invokeExact(graph);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_fsq_forward {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_fsq_forward");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_fsq_forward(rfsq_ctx *ctx, const rfsq_levels *levels, const float *x, int64_t b, int64_t h, int64_t w, float *codes, int32_t *idx)
     * }
     */
    public static FunctionDescriptor rfsq_fsq_forward$descriptor() {
        return rfsq_fsq_forward.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_fsq_forward(rfsq_ctx *ctx, const rfsq_levels *levels, const float *x, int64_t b, int64_t h, int64_t w, float *codes, int32_t *idx)
     * }
     */
    public static MethodHandle rfsq_fsq_forward$handle() {
        return rfsq_fsq_forward.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_fsq_forward(rfsq_ctx *ctx, const rfsq_levels *levels, const float *x, int64_t b, int64_t h, int64_t w, float *codes, int32_t *idx)
     * }
     */
    public static MemorySegment rfsq_fsq_forward$address() {
        return rfsq_fsq_forward.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_fsq_forward(rfsq_ctx *ctx, const rfsq_levels *levels, const float *x, int64_t b, int64_t h, int64_t w, float *codes, int32_t *idx)
     * }
     */
    public static int rfsq_fsq_forward(MemorySegment ctx, MemorySegment levels, MemorySegment x, long b, long h, long w, MemorySegment codes, MemorySegment idx) {
        var mh$ = rfsq_fsq_forward.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_fsq_forward", ctx, levels, x, b, h, w, codes, idx);
            }
            return (int)mh$.invokeExact(ctx, levels, x, b, h, w, codes, idx);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_fsq_backward {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_fsq_backward");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_fsq_backward(rfsq_ctx *ctx, const rfsq_levels *levels, const float *x, int64_t b, int64_t h, int64_t w, const float *dcodes, float *dx)
     * }
     */
    public static FunctionDescriptor rfsq_fsq_backward$descriptor() {
        return rfsq_fsq_backward.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_fsq_backward(rfsq_ctx *ctx, const rfsq_levels *levels, const float *x, int64_t b, int64_t h, int64_t w, const float *dcodes, float *dx)
     * }
     */
    public static MethodHandle rfsq_fsq_backward$handle() {
        return rfsq_fsq_backward.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_fsq_backward(rfsq_ctx *ctx, const rfsq_levels *levels, const float *x, int64_t b, int64_t h, int64_t w, const float *dcodes, float *dx)
     * }
     */
    public static MemorySegment rfsq_fsq_backward$address() {
        return rfsq_fsq_backward.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_fsq_backward(rfsq_ctx *ctx, const rfsq_levels *levels, const float *x, int64_t b, int64_t h, int64_t w, const float *dcodes, float *dx)
     * }
     */
    public static int rfsq_fsq_backward(MemorySegment ctx, MemorySegment levels, MemorySegment x, long b, long h, long w, MemorySegment dcodes, MemorySegment dx) {
        var mh$ = rfsq_fsq_backward.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_fsq_backward", ctx, levels, x, b, h, w, dcodes, dx);
            }
            return (int)mh$.invokeExact(ctx, levels, x, b, h, w, dcodes, dx);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_fsq_codes_to_indices {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_fsq_codes_to_indices");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_fsq_codes_to_indices(rfsq_ctx *ctx, const rfsq_levels *levels, const float *codes, int64_t b, int64_t h, int64_t w, int32_t *idx)
     * }
     */
    public static FunctionDescriptor rfsq_fsq_codes_to_indices$descriptor() {
        return rfsq_fsq_codes_to_indices.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_fsq_codes_to_indices(rfsq_ctx *ctx, const rfsq_levels *levels, const float *codes, int64_t b, int64_t h, int64_t w, int32_t *idx)
     * }
     */
    public static MethodHandle rfsq_fsq_codes_to_indices$handle() {
        return rfsq_fsq_codes_to_indices.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_fsq_codes_to_indices(rfsq_ctx *ctx, const rfsq_levels *levels, const float *codes, int64_t b, int64_t h, int64_t w, int32_t *idx)
     * }
     */
    public static MemorySegment rfsq_fsq_codes_to_indices$address() {
        return rfsq_fsq_codes_to_indices.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_fsq_codes_to_indices(rfsq_ctx *ctx, const rfsq_levels *levels, const float *codes, int64_t b, int64_t h, int64_t w, int32_t *idx)
     * }
     */
    public static int rfsq_fsq_codes_to_indices(MemorySegment ctx, MemorySegment levels, MemorySegment codes, long b, long h, long w, MemorySegment idx) {
        var mh$ = rfsq_fsq_codes_to_indices.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_fsq_codes_to_indices", ctx, levels, codes, b, h, w, idx);
            }
            return (int)mh$.invokeExact(ctx, levels, codes, b, h, w, idx);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_fsq_indices_to_codes {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_fsq_indices_to_codes");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_fsq_indices_to_codes(rfsq_ctx *ctx, const rfsq_levels *levels, const int32_t *idx, int64_t b, int64_t h, int64_t w, float *codes)
     * }
     */
    public static FunctionDescriptor rfsq_fsq_indices_to_codes$descriptor() {
        return rfsq_fsq_indices_to_codes.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_fsq_indices_to_codes(rfsq_ctx *ctx, const rfsq_levels *levels, const int32_t *idx, int64_t b, int64_t h, int64_t w, float *codes)
     * }
     */
    public static MethodHandle rfsq_fsq_indices_to_codes$handle() {
        return rfsq_fsq_indices_to_codes.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_fsq_indices_to_codes(rfsq_ctx *ctx, const rfsq_levels *levels, const int32_t *idx, int64_t b, int64_t h, int64_t w, float *codes)
     * }
     */
    public static MemorySegment rfsq_fsq_indices_to_codes$address() {
        return rfsq_fsq_indices_to_codes.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_fsq_indices_to_codes(rfsq_ctx *ctx, const rfsq_levels *levels, const int32_t *idx, int64_t b, int64_t h, int64_t w, float *codes)
     * }
     */
    public static int rfsq_fsq_indices_to_codes(MemorySegment ctx, MemorySegment levels, MemorySegment idx, long b, long h, long w, MemorySegment codes) {
        var mh$ = rfsq_fsq_indices_to_codes.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_fsq_indices_to_codes", ctx, levels, idx, b, h, w, codes);
            }
            return (int)mh$.invokeExact(ctx, levels, idx, b, h, w, codes);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_relu_forward {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_relu_forward");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_relu_forward(rfsq_ctx *ctx, const float *x, int64_t n, float *y)
     * }
     */
    public static FunctionDescriptor rfsq_relu_forward$descriptor() {
        return rfsq_relu_forward.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_relu_forward(rfsq_ctx *ctx, const float *x, int64_t n, float *y)
     * }
     */
    public static MethodHandle rfsq_relu_forward$handle() {
        return rfsq_relu_forward.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_relu_forward(rfsq_ctx *ctx, const float *x, int64_t n, float *y)
     * }
     */
    public static MemorySegment rfsq_relu_forward$address() {
        return rfsq_relu_forward.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_relu_forward(rfsq_ctx *ctx, const float *x, int64_t n, float *y)
     * }
     */
    public static int rfsq_relu_forward(MemorySegment ctx, MemorySegment x, long n, MemorySegment y) {
        var mh$ = rfsq_relu_forward.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_relu_forward", ctx, x, n, y);
            }
            return (int)mh$.invokeExact(ctx, x, n, y);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_relu_backward {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_relu_backward");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_relu_backward(rfsq_ctx *ctx, const float *y, const float *dy, int64_t n, float *dx)
     * }
     */
    public static FunctionDescriptor rfsq_relu_backward$descriptor() {
        return rfsq_relu_backward.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_relu_backward(rfsq_ctx *ctx, const float *y, const float *dy, int64_t n, float *dx)
     * }
     */
    public static MethodHandle rfsq_relu_backward$handle() {
        return rfsq_relu_backward.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_relu_backward(rfsq_ctx *ctx, const float *y, const float *dy, int64_t n, float *dx)
     * }
     */
    public static MemorySegment rfsq_relu_backward$address() {
        return rfsq_relu_backward.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_relu_backward(rfsq_ctx *ctx, const float *y, const float *dy, int64_t n, float *dx)
     * }
     */
    public static int rfsq_relu_backward(MemorySegment ctx, MemorySegment y, MemorySegment dy, long n, MemorySegment dx) {
        var mh$ = rfsq_relu_backward.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_relu_backward", ctx, y, dy, n, dx);
            }
            return (int)mh$.invokeExact(ctx, y, dy, n, dx);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_channel_affine {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_channel_affine");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_channel_affine(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, const float *scale, const float *shift, float *y)
     * }
     */
    public static FunctionDescriptor rfsq_channel_affine$descriptor() {
        return rfsq_channel_affine.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_channel_affine(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, const float *scale, const float *shift, float *y)
     * }
     */
    public static MethodHandle rfsq_channel_affine$handle() {
        return rfsq_channel_affine.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_channel_affine(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, const float *scale, const float *shift, float *y)
     * }
     */
    public static MemorySegment rfsq_channel_affine$address() {
        return rfsq_channel_affine.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_channel_affine(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, const float *scale, const float *shift, float *y)
     * }
     */
    public static int rfsq_channel_affine(MemorySegment ctx, MemorySegment x, long b, long c, long h, long w, MemorySegment scale, MemorySegment shift, MemorySegment y) {
        var mh$ = rfsq_channel_affine.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_channel_affine", ctx, x, b, c, h, w, scale, shift, y);
            }
            return (int)mh$.invokeExact(ctx, x, b, c, h, w, scale, shift, y);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_l1_loss {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_FLOAT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_l1_loss");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_l1_loss(rfsq_ctx *ctx, const float *a, const float *b, int64_t n, float weight, float *loss, float *grad)
     * }
     */
    public static FunctionDescriptor rfsq_l1_loss$descriptor() {
        return rfsq_l1_loss.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_l1_loss(rfsq_ctx *ctx, const float *a, const float *b, int64_t n, float weight, float *loss, float *grad)
     * }
     */
    public static MethodHandle rfsq_l1_loss$handle() {
        return rfsq_l1_loss.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_l1_loss(rfsq_ctx *ctx, const float *a, const float *b, int64_t n, float weight, float *loss, float *grad)
     * }
     */
    public static MemorySegment rfsq_l1_loss$address() {
        return rfsq_l1_loss.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_l1_loss(rfsq_ctx *ctx, const float *a, const float *b, int64_t n, float weight, float *loss, float *grad)
     * }
     */
    public static int rfsq_l1_loss(MemorySegment ctx, MemorySegment a, MemorySegment b, long n, float weight, MemorySegment loss, MemorySegment grad) {
        var mh$ = rfsq_l1_loss.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_l1_loss", ctx, a, b, n, weight, loss, grad);
            }
            return (int)mh$.invokeExact(ctx, a, b, n, weight, loss, grad);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_sum_squares {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_sum_squares");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_sum_squares(rfsq_ctx *ctx, const float *x, int64_t n, float *out)
     * }
     */
    public static FunctionDescriptor rfsq_sum_squares$descriptor() {
        return rfsq_sum_squares.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_sum_squares(rfsq_ctx *ctx, const float *x, int64_t n, float *out)
     * }
     */
    public static MethodHandle rfsq_sum_squares$handle() {
        return rfsq_sum_squares.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_sum_squares(rfsq_ctx *ctx, const float *x, int64_t n, float *out)
     * }
     */
    public static MemorySegment rfsq_sum_squares$address() {
        return rfsq_sum_squares.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_sum_squares(rfsq_ctx *ctx, const float *x, int64_t n, float *out)
     * }
     */
    public static int rfsq_sum_squares(MemorySegment ctx, MemorySegment x, long n, MemorySegment out) {
        var mh$ = rfsq_sum_squares.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_sum_squares", ctx, x, n, out);
            }
            return (int)mh$.invokeExact(ctx, x, n, out);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_adam_constants {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_adam_constants");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_adam_constants(const rfsq_adam_cfg *cfg, float *out)
     * }
     */
    public static FunctionDescriptor rfsq_adam_constants$descriptor() {
        return rfsq_adam_constants.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_adam_constants(const rfsq_adam_cfg *cfg, float *out)
     * }
     */
    public static MethodHandle rfsq_adam_constants$handle() {
        return rfsq_adam_constants.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_adam_constants(const rfsq_adam_cfg *cfg, float *out)
     * }
     */
    public static MemorySegment rfsq_adam_constants$address() {
        return rfsq_adam_constants.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_adam_constants(const rfsq_adam_cfg *cfg, float *out)
     * }
     */
    public static int rfsq_adam_constants(MemorySegment cfg, MemorySegment out) {
        var mh$ = rfsq_adam_constants.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_adam_constants", cfg, out);
            }
            return (int)mh$.invokeExact(cfg, out);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_adam_step_device {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_adam_step_device");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_adam_step_device(rfsq_ctx *ctx, const rfsq_adam_cfg *cfg, const float *constants, float *param, const float *grad, float *m, float *v, int64_t n, const float *grad_sq)
     * }
     */
    public static FunctionDescriptor rfsq_adam_step_device$descriptor() {
        return rfsq_adam_step_device.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_adam_step_device(rfsq_ctx *ctx, const rfsq_adam_cfg *cfg, const float *constants, float *param, const float *grad, float *m, float *v, int64_t n, const float *grad_sq)
     * }
     */
    public static MethodHandle rfsq_adam_step_device$handle() {
        return rfsq_adam_step_device.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_adam_step_device(rfsq_ctx *ctx, const rfsq_adam_cfg *cfg, const float *constants, float *param, const float *grad, float *m, float *v, int64_t n, const float *grad_sq)
     * }
     */
    public static MemorySegment rfsq_adam_step_device$address() {
        return rfsq_adam_step_device.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_adam_step_device(rfsq_ctx *ctx, const rfsq_adam_cfg *cfg, const float *constants, float *param, const float *grad, float *m, float *v, int64_t n, const float *grad_sq)
     * }
     */
    public static int rfsq_adam_step_device(MemorySegment ctx, MemorySegment cfg, MemorySegment constants, MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v, long n, MemorySegment grad_sq) {
        var mh$ = rfsq_adam_step_device.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_adam_step_device", ctx, cfg, constants, param, grad, m, v, n, grad_sq);
            }
            return (int)mh$.invokeExact(ctx, cfg, constants, param, grad, m, v, n, grad_sq);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_adam_step {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_adam_step");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_adam_step(rfsq_ctx *ctx, const rfsq_adam_cfg *cfg, float *param, const float *grad, float *m, float *v, int64_t n, const float *grad_sq)
     * }
     */
    public static FunctionDescriptor rfsq_adam_step$descriptor() {
        return rfsq_adam_step.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_adam_step(rfsq_ctx *ctx, const rfsq_adam_cfg *cfg, float *param, const float *grad, float *m, float *v, int64_t n, const float *grad_sq)
     * }
     */
    public static MethodHandle rfsq_adam_step$handle() {
        return rfsq_adam_step.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_adam_step(rfsq_ctx *ctx, const rfsq_adam_cfg *cfg, float *param, const float *grad, float *m, float *v, int64_t n, const float *grad_sq)
     * }
     */
    public static MemorySegment rfsq_adam_step$address() {
        return rfsq_adam_step.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_adam_step(rfsq_ctx *ctx, const rfsq_adam_cfg *cfg, float *param, const float *grad, float *m, float *v, int64_t n, const float *grad_sq)
     * }
     */
    public static int rfsq_adam_step(MemorySegment ctx, MemorySegment cfg, MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v, long n, MemorySegment grad_sq) {
        var mh$ = rfsq_adam_step.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_adam_step", ctx, cfg, param, grad, m, v, n, grad_sq);
            }
            return (int)mh$.invokeExact(ctx, cfg, param, grad, m, v, n, grad_sq);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_rfsq_param_count {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_rfsq_param_count");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_rfsq_param_count(const rfsq_rfsq_cfg *cfg, int64_t *count)
     * }
     */
    public static FunctionDescriptor rfsq_rfsq_param_count$descriptor() {
        return rfsq_rfsq_param_count.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_rfsq_param_count(const rfsq_rfsq_cfg *cfg, int64_t *count)
     * }
     */
    public static MethodHandle rfsq_rfsq_param_count$handle() {
        return rfsq_rfsq_param_count.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_rfsq_param_count(const rfsq_rfsq_cfg *cfg, int64_t *count)
     * }
     */
    public static MemorySegment rfsq_rfsq_param_count$address() {
        return rfsq_rfsq_param_count.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_rfsq_param_count(const rfsq_rfsq_cfg *cfg, int64_t *count)
     * }
     */
    public static int rfsq_rfsq_param_count(MemorySegment cfg, MemorySegment count) {
        var mh$ = rfsq_rfsq_param_count.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_rfsq_param_count", cfg, count);
            }
            return (int)mh$.invokeExact(cfg, count);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_rfsq_forward {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_rfsq_forward");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_rfsq_forward(rfsq_ctx *ctx, const rfsq_rfsq_cfg *cfg, const float *z, int64_t b, int64_t h, int64_t w, const float *params, const float *running, float *zhat, int32_t *idx, float *stats, float *rnorm)
     * }
     */
    public static FunctionDescriptor rfsq_rfsq_forward$descriptor() {
        return rfsq_rfsq_forward.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_rfsq_forward(rfsq_ctx *ctx, const rfsq_rfsq_cfg *cfg, const float *z, int64_t b, int64_t h, int64_t w, const float *params, const float *running, float *zhat, int32_t *idx, float *stats, float *rnorm)
     * }
     */
    public static MethodHandle rfsq_rfsq_forward$handle() {
        return rfsq_rfsq_forward.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_rfsq_forward(rfsq_ctx *ctx, const rfsq_rfsq_cfg *cfg, const float *z, int64_t b, int64_t h, int64_t w, const float *params, const float *running, float *zhat, int32_t *idx, float *stats, float *rnorm)
     * }
     */
    public static MemorySegment rfsq_rfsq_forward$address() {
        return rfsq_rfsq_forward.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_rfsq_forward(rfsq_ctx *ctx, const rfsq_rfsq_cfg *cfg, const float *z, int64_t b, int64_t h, int64_t w, const float *params, const float *running, float *zhat, int32_t *idx, float *stats, float *rnorm)
     * }
     */
    public static int rfsq_rfsq_forward(MemorySegment ctx, MemorySegment cfg, MemorySegment z, long b, long h, long w, MemorySegment params, MemorySegment running, MemorySegment zhat, MemorySegment idx, MemorySegment stats, MemorySegment rnorm) {
        var mh$ = rfsq_rfsq_forward.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_rfsq_forward", ctx, cfg, z, b, h, w, params, running, zhat, idx, stats, rnorm);
            }
            return (int)mh$.invokeExact(ctx, cfg, z, b, h, w, params, running, zhat, idx, stats, rnorm);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_rfsq_backward {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_rfsq_backward");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_rfsq_backward(rfsq_ctx *ctx, const rfsq_rfsq_cfg *cfg, const float *z, int64_t b, int64_t h, int64_t w, const float *params, const float *dzhat, float *dz, float *dparams)
     * }
     */
    public static FunctionDescriptor rfsq_rfsq_backward$descriptor() {
        return rfsq_rfsq_backward.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_rfsq_backward(rfsq_ctx *ctx, const rfsq_rfsq_cfg *cfg, const float *z, int64_t b, int64_t h, int64_t w, const float *params, const float *dzhat, float *dz, float *dparams)
     * }
     */
    public static MethodHandle rfsq_rfsq_backward$handle() {
        return rfsq_rfsq_backward.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_rfsq_backward(rfsq_ctx *ctx, const rfsq_rfsq_cfg *cfg, const float *z, int64_t b, int64_t h, int64_t w, const float *params, const float *dzhat, float *dz, float *dparams)
     * }
     */
    public static MemorySegment rfsq_rfsq_backward$address() {
        return rfsq_rfsq_backward.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_rfsq_backward(rfsq_ctx *ctx, const rfsq_rfsq_cfg *cfg, const float *z, int64_t b, int64_t h, int64_t w, const float *params, const float *dzhat, float *dz, float *dparams)
     * }
     */
    public static int rfsq_rfsq_backward(MemorySegment ctx, MemorySegment cfg, MemorySegment z, long b, long h, long w, MemorySegment params, MemorySegment dzhat, MemorySegment dz, MemorySegment dparams) {
        var mh$ = rfsq_rfsq_backward.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_rfsq_backward", ctx, cfg, z, b, h, w, params, dzhat, dz, dparams);
            }
            return (int)mh$.invokeExact(ctx, cfg, z, b, h, w, params, dzhat, dz, dparams);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_rfsq_decode {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_INT,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_rfsq_decode");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_rfsq_decode(rfsq_ctx *ctx, const rfsq_rfsq_cfg *cfg, const int32_t *idx, int64_t b, int64_t h, int64_t w, const float *params, const float *stats, int32_t stats_per_image, float *zhat)
     * }
     */
    public static FunctionDescriptor rfsq_rfsq_decode$descriptor() {
        return rfsq_rfsq_decode.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_rfsq_decode(rfsq_ctx *ctx, const rfsq_rfsq_cfg *cfg, const int32_t *idx, int64_t b, int64_t h, int64_t w, const float *params, const float *stats, int32_t stats_per_image, float *zhat)
     * }
     */
    public static MethodHandle rfsq_rfsq_decode$handle() {
        return rfsq_rfsq_decode.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_rfsq_decode(rfsq_ctx *ctx, const rfsq_rfsq_cfg *cfg, const int32_t *idx, int64_t b, int64_t h, int64_t w, const float *params, const float *stats, int32_t stats_per_image, float *zhat)
     * }
     */
    public static MemorySegment rfsq_rfsq_decode$address() {
        return rfsq_rfsq_decode.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_rfsq_decode(rfsq_ctx *ctx, const rfsq_rfsq_cfg *cfg, const int32_t *idx, int64_t b, int64_t h, int64_t w, const float *params, const float *stats, int32_t stats_per_image, float *zhat)
     * }
     */
    public static int rfsq_rfsq_decode(MemorySegment ctx, MemorySegment cfg, MemorySegment idx, long b, long h, long w, MemorySegment params, MemorySegment stats, int stats_per_image, MemorySegment zhat) {
        var mh$ = rfsq_rfsq_decode.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_rfsq_decode", ctx, cfg, idx, b, h, w, params, stats, stats_per_image, zhat);
            }
            return (int)mh$.invokeExact(ctx, cfg, idx, b, h, w, params, stats, stats_per_image, zhat);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_rfsq_running_update {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_FLOAT,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_rfsq_running_update");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_rfsq_running_update(rfsq_ctx *ctx, const rfsq_rfsq_cfg *cfg, const float *stats, int64_t b, float momentum, float *running)
     * }
     */
    public static FunctionDescriptor rfsq_rfsq_running_update$descriptor() {
        return rfsq_rfsq_running_update.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_rfsq_running_update(rfsq_ctx *ctx, const rfsq_rfsq_cfg *cfg, const float *stats, int64_t b, float momentum, float *running)
     * }
     */
    public static MethodHandle rfsq_rfsq_running_update$handle() {
        return rfsq_rfsq_running_update.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_rfsq_running_update(rfsq_ctx *ctx, const rfsq_rfsq_cfg *cfg, const float *stats, int64_t b, float momentum, float *running)
     * }
     */
    public static MemorySegment rfsq_rfsq_running_update$address() {
        return rfsq_rfsq_running_update.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_rfsq_running_update(rfsq_ctx *ctx, const rfsq_rfsq_cfg *cfg, const float *stats, int64_t b, float momentum, float *running)
     * }
     */
    public static int rfsq_rfsq_running_update(MemorySegment ctx, MemorySegment cfg, MemorySegment stats, long b, float momentum, MemorySegment running) {
        var mh$ = rfsq_rfsq_running_update.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_rfsq_running_update", ctx, cfg, stats, b, momentum, running);
            }
            return (int)mh$.invokeExact(ctx, cfg, stats, b, momentum, running);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_conv_output_size {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_conv_output_size");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_conv_output_size(const rfsq_conv_cfg *cfg, int64_t h, int64_t w, int64_t *oh, int64_t *ow)
     * }
     */
    public static FunctionDescriptor rfsq_conv_output_size$descriptor() {
        return rfsq_conv_output_size.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_conv_output_size(const rfsq_conv_cfg *cfg, int64_t h, int64_t w, int64_t *oh, int64_t *ow)
     * }
     */
    public static MethodHandle rfsq_conv_output_size$handle() {
        return rfsq_conv_output_size.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_conv_output_size(const rfsq_conv_cfg *cfg, int64_t h, int64_t w, int64_t *oh, int64_t *ow)
     * }
     */
    public static MemorySegment rfsq_conv_output_size$address() {
        return rfsq_conv_output_size.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_conv_output_size(const rfsq_conv_cfg *cfg, int64_t h, int64_t w, int64_t *oh, int64_t *ow)
     * }
     */
    public static int rfsq_conv_output_size(MemorySegment cfg, long h, long w, MemorySegment oh, MemorySegment ow) {
        var mh$ = rfsq_conv_output_size.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_conv_output_size", cfg, h, w, oh, ow);
            }
            return (int)mh$.invokeExact(cfg, h, w, oh, ow);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_conv_forward {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_conv_forward");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_conv_forward(rfsq_ctx *ctx, const rfsq_conv_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *weight, const float *bias, float *y)
     * }
     */
    public static FunctionDescriptor rfsq_conv_forward$descriptor() {
        return rfsq_conv_forward.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_conv_forward(rfsq_ctx *ctx, const rfsq_conv_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *weight, const float *bias, float *y)
     * }
     */
    public static MethodHandle rfsq_conv_forward$handle() {
        return rfsq_conv_forward.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_conv_forward(rfsq_ctx *ctx, const rfsq_conv_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *weight, const float *bias, float *y)
     * }
     */
    public static MemorySegment rfsq_conv_forward$address() {
        return rfsq_conv_forward.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_conv_forward(rfsq_ctx *ctx, const rfsq_conv_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *weight, const float *bias, float *y)
     * }
     */
    public static int rfsq_conv_forward(MemorySegment ctx, MemorySegment cfg, MemorySegment x, long b, long h, long w, MemorySegment weight, MemorySegment bias, MemorySegment y) {
        var mh$ = rfsq_conv_forward.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_conv_forward", ctx, cfg, x, b, h, w, weight, bias, y);
            }
            return (int)mh$.invokeExact(ctx, cfg, x, b, h, w, weight, bias, y);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_conv_backward {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_conv_backward");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_conv_backward(rfsq_ctx *ctx, const rfsq_conv_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *weight, const float *dy, float *dx, float *dweight, float *dbias)
     * }
     */
    public static FunctionDescriptor rfsq_conv_backward$descriptor() {
        return rfsq_conv_backward.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_conv_backward(rfsq_ctx *ctx, const rfsq_conv_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *weight, const float *dy, float *dx, float *dweight, float *dbias)
     * }
     */
    public static MethodHandle rfsq_conv_backward$handle() {
        return rfsq_conv_backward.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_conv_backward(rfsq_ctx *ctx, const rfsq_conv_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *weight, const float *dy, float *dx, float *dweight, float *dbias)
     * }
     */
    public static MemorySegment rfsq_conv_backward$address() {
        return rfsq_conv_backward.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_conv_backward(rfsq_ctx *ctx, const rfsq_conv_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *weight, const float *dy, float *dx, float *dweight, float *dbias)
     * }
     */
    public static int rfsq_conv_backward(MemorySegment ctx, MemorySegment cfg, MemorySegment x, long b, long h, long w, MemorySegment weight, MemorySegment dy, MemorySegment dx, MemorySegment dweight, MemorySegment dbias) {
        var mh$ = rfsq_conv_backward.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_conv_backward", ctx, cfg, x, b, h, w, weight, dy, dx, dweight, dbias);
            }
            return (int)mh$.invokeExact(ctx, cfg, x, b, h, w, weight, dy, dx, dweight, dbias);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_conv_block {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_conv_block");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_conv_block(rfsq_ctx *ctx, int32_t *block)
     * }
     */
    public static FunctionDescriptor rfsq_conv_block$descriptor() {
        return rfsq_conv_block.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_conv_block(rfsq_ctx *ctx, int32_t *block)
     * }
     */
    public static MethodHandle rfsq_conv_block$handle() {
        return rfsq_conv_block.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_conv_block(rfsq_ctx *ctx, int32_t *block)
     * }
     */
    public static MemorySegment rfsq_conv_block$address() {
        return rfsq_conv_block.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_conv_block(rfsq_ctx *ctx, int32_t *block)
     * }
     */
    public static int rfsq_conv_block(MemorySegment ctx, MemorySegment block) {
        var mh$ = rfsq_conv_block.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_conv_block", ctx, block);
            }
            return (int)mh$.invokeExact(ctx, block);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_blocked_convert {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_INT,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_blocked_convert");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_blocked_convert(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, int32_t to_blocked, float *y)
     * }
     */
    public static FunctionDescriptor rfsq_blocked_convert$descriptor() {
        return rfsq_blocked_convert.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_blocked_convert(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, int32_t to_blocked, float *y)
     * }
     */
    public static MethodHandle rfsq_blocked_convert$handle() {
        return rfsq_blocked_convert.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_blocked_convert(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, int32_t to_blocked, float *y)
     * }
     */
    public static MemorySegment rfsq_blocked_convert$address() {
        return rfsq_blocked_convert.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_blocked_convert(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, int32_t to_blocked, float *y)
     * }
     */
    public static int rfsq_blocked_convert(MemorySegment ctx, MemorySegment x, long b, long c, long h, long w, int to_blocked, MemorySegment y) {
        var mh$ = rfsq_blocked_convert.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_blocked_convert", ctx, x, b, c, h, w, to_blocked, y);
            }
            return (int)mh$.invokeExact(ctx, x, b, c, h, w, to_blocked, y);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_conv_forward_ex {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_INT,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_conv_forward_ex");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_conv_forward_ex(rfsq_ctx *ctx, const rfsq_conv_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *weight, const float *bias, int32_t flags, float *y)
     * }
     */
    public static FunctionDescriptor rfsq_conv_forward_ex$descriptor() {
        return rfsq_conv_forward_ex.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_conv_forward_ex(rfsq_ctx *ctx, const rfsq_conv_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *weight, const float *bias, int32_t flags, float *y)
     * }
     */
    public static MethodHandle rfsq_conv_forward_ex$handle() {
        return rfsq_conv_forward_ex.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_conv_forward_ex(rfsq_ctx *ctx, const rfsq_conv_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *weight, const float *bias, int32_t flags, float *y)
     * }
     */
    public static MemorySegment rfsq_conv_forward_ex$address() {
        return rfsq_conv_forward_ex.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_conv_forward_ex(rfsq_ctx *ctx, const rfsq_conv_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *weight, const float *bias, int32_t flags, float *y)
     * }
     */
    public static int rfsq_conv_forward_ex(MemorySegment ctx, MemorySegment cfg, MemorySegment x, long b, long h, long w, MemorySegment weight, MemorySegment bias, int flags, MemorySegment y) {
        var mh$ = rfsq_conv_forward_ex.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_conv_forward_ex", ctx, cfg, x, b, h, w, weight, bias, flags, y);
            }
            return (int)mh$.invokeExact(ctx, cfg, x, b, h, w, weight, bias, flags, y);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_conv_backward_ex {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_conv_backward_ex");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_conv_backward_ex(rfsq_ctx *ctx, const rfsq_conv_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *weight, const float *dy, int32_t flags, float *dx, float *dweight, float *dbias)
     * }
     */
    public static FunctionDescriptor rfsq_conv_backward_ex$descriptor() {
        return rfsq_conv_backward_ex.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_conv_backward_ex(rfsq_ctx *ctx, const rfsq_conv_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *weight, const float *dy, int32_t flags, float *dx, float *dweight, float *dbias)
     * }
     */
    public static MethodHandle rfsq_conv_backward_ex$handle() {
        return rfsq_conv_backward_ex.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_conv_backward_ex(rfsq_ctx *ctx, const rfsq_conv_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *weight, const float *dy, int32_t flags, float *dx, float *dweight, float *dbias)
     * }
     */
    public static MemorySegment rfsq_conv_backward_ex$address() {
        return rfsq_conv_backward_ex.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_conv_backward_ex(rfsq_ctx *ctx, const rfsq_conv_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *weight, const float *dy, int32_t flags, float *dx, float *dweight, float *dbias)
     * }
     */
    public static int rfsq_conv_backward_ex(MemorySegment ctx, MemorySegment cfg, MemorySegment x, long b, long h, long w, MemorySegment weight, MemorySegment dy, int flags, MemorySegment dx, MemorySegment dweight, MemorySegment dbias) {
        var mh$ = rfsq_conv_backward_ex.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_conv_backward_ex", ctx, cfg, x, b, h, w, weight, dy, flags, dx, dweight, dbias);
            }
            return (int)mh$.invokeExact(ctx, cfg, x, b, h, w, weight, dy, flags, dx, dweight, dbias);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_lfq_forward {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_lfq_forward");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_lfq_forward(rfsq_ctx *ctx, const rfsq_lfq_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, float *q, int32_t *idx, float *loss)
     * }
     */
    public static FunctionDescriptor rfsq_lfq_forward$descriptor() {
        return rfsq_lfq_forward.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_lfq_forward(rfsq_ctx *ctx, const rfsq_lfq_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, float *q, int32_t *idx, float *loss)
     * }
     */
    public static MethodHandle rfsq_lfq_forward$handle() {
        return rfsq_lfq_forward.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_lfq_forward(rfsq_ctx *ctx, const rfsq_lfq_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, float *q, int32_t *idx, float *loss)
     * }
     */
    public static MemorySegment rfsq_lfq_forward$address() {
        return rfsq_lfq_forward.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_lfq_forward(rfsq_ctx *ctx, const rfsq_lfq_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, float *q, int32_t *idx, float *loss)
     * }
     */
    public static int rfsq_lfq_forward(MemorySegment ctx, MemorySegment cfg, MemorySegment x, long b, long h, long w, MemorySegment q, MemorySegment idx, MemorySegment loss) {
        var mh$ = rfsq_lfq_forward.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_lfq_forward", ctx, cfg, x, b, h, w, q, idx, loss);
            }
            return (int)mh$.invokeExact(ctx, cfg, x, b, h, w, q, idx, loss);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_lfq_backward {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_lfq_backward");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_lfq_backward(rfsq_ctx *ctx, const rfsq_lfq_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *dq, float *dx)
     * }
     */
    public static FunctionDescriptor rfsq_lfq_backward$descriptor() {
        return rfsq_lfq_backward.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_lfq_backward(rfsq_ctx *ctx, const rfsq_lfq_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *dq, float *dx)
     * }
     */
    public static MethodHandle rfsq_lfq_backward$handle() {
        return rfsq_lfq_backward.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_lfq_backward(rfsq_ctx *ctx, const rfsq_lfq_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *dq, float *dx)
     * }
     */
    public static MemorySegment rfsq_lfq_backward$address() {
        return rfsq_lfq_backward.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_lfq_backward(rfsq_ctx *ctx, const rfsq_lfq_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *dq, float *dx)
     * }
     */
    public static int rfsq_lfq_backward(MemorySegment ctx, MemorySegment cfg, MemorySegment x, long b, long h, long w, MemorySegment dq, MemorySegment dx) {
        var mh$ = rfsq_lfq_backward.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_lfq_backward", ctx, cfg, x, b, h, w, dq, dx);
            }
            return (int)mh$.invokeExact(ctx, cfg, x, b, h, w, dq, dx);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_lfq_decode {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_lfq_decode");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_lfq_decode(rfsq_ctx *ctx, const rfsq_lfq_cfg *cfg, const int32_t *idx, int64_t b, int64_t h, int64_t w, float *q)
     * }
     */
    public static FunctionDescriptor rfsq_lfq_decode$descriptor() {
        return rfsq_lfq_decode.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_lfq_decode(rfsq_ctx *ctx, const rfsq_lfq_cfg *cfg, const int32_t *idx, int64_t b, int64_t h, int64_t w, float *q)
     * }
     */
    public static MethodHandle rfsq_lfq_decode$handle() {
        return rfsq_lfq_decode.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_lfq_decode(rfsq_ctx *ctx, const rfsq_lfq_cfg *cfg, const int32_t *idx, int64_t b, int64_t h, int64_t w, float *q)
     * }
     */
    public static MemorySegment rfsq_lfq_decode$address() {
        return rfsq_lfq_decode.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_lfq_decode(rfsq_ctx *ctx, const rfsq_lfq_cfg *cfg, const int32_t *idx, int64_t b, int64_t h, int64_t w, float *q)
     * }
     */
    public static int rfsq_lfq_decode(MemorySegment ctx, MemorySegment cfg, MemorySegment idx, long b, long h, long w, MemorySegment q) {
        var mh$ = rfsq_lfq_decode.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_lfq_decode", ctx, cfg, idx, b, h, w, q);
            }
            return (int)mh$.invokeExact(ctx, cfg, idx, b, h, w, q);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_vq_forward {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_vq_forward");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_vq_forward(rfsq_ctx *ctx, const rfsq_vq_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *codebook, float *zq, int32_t *idx, float *loss)
     * }
     */
    public static FunctionDescriptor rfsq_vq_forward$descriptor() {
        return rfsq_vq_forward.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_vq_forward(rfsq_ctx *ctx, const rfsq_vq_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *codebook, float *zq, int32_t *idx, float *loss)
     * }
     */
    public static MethodHandle rfsq_vq_forward$handle() {
        return rfsq_vq_forward.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_vq_forward(rfsq_ctx *ctx, const rfsq_vq_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *codebook, float *zq, int32_t *idx, float *loss)
     * }
     */
    public static MemorySegment rfsq_vq_forward$address() {
        return rfsq_vq_forward.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_vq_forward(rfsq_ctx *ctx, const rfsq_vq_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *codebook, float *zq, int32_t *idx, float *loss)
     * }
     */
    public static int rfsq_vq_forward(MemorySegment ctx, MemorySegment cfg, MemorySegment x, long b, long h, long w, MemorySegment codebook, MemorySegment zq, MemorySegment idx, MemorySegment loss) {
        var mh$ = rfsq_vq_forward.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_vq_forward", ctx, cfg, x, b, h, w, codebook, zq, idx, loss);
            }
            return (int)mh$.invokeExact(ctx, cfg, x, b, h, w, codebook, zq, idx, loss);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_vq_ema_update {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_vq_ema_update");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_vq_ema_update(rfsq_ctx *ctx, const rfsq_vq_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const int32_t *idx, float *cluster_size, float *embed_avg, float *codebook)
     * }
     */
    public static FunctionDescriptor rfsq_vq_ema_update$descriptor() {
        return rfsq_vq_ema_update.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_vq_ema_update(rfsq_ctx *ctx, const rfsq_vq_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const int32_t *idx, float *cluster_size, float *embed_avg, float *codebook)
     * }
     */
    public static MethodHandle rfsq_vq_ema_update$handle() {
        return rfsq_vq_ema_update.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_vq_ema_update(rfsq_ctx *ctx, const rfsq_vq_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const int32_t *idx, float *cluster_size, float *embed_avg, float *codebook)
     * }
     */
    public static MemorySegment rfsq_vq_ema_update$address() {
        return rfsq_vq_ema_update.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_vq_ema_update(rfsq_ctx *ctx, const rfsq_vq_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const int32_t *idx, float *cluster_size, float *embed_avg, float *codebook)
     * }
     */
    public static int rfsq_vq_ema_update(MemorySegment ctx, MemorySegment cfg, MemorySegment x, long b, long h, long w, MemorySegment idx, MemorySegment cluster_size, MemorySegment embed_avg, MemorySegment codebook) {
        var mh$ = rfsq_vq_ema_update.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_vq_ema_update", ctx, cfg, x, b, h, w, idx, cluster_size, embed_avg, codebook);
            }
            return (int)mh$.invokeExact(ctx, cfg, x, b, h, w, idx, cluster_size, embed_avg, codebook);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_vq_backward {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_vq_backward");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_vq_backward(rfsq_ctx *ctx, const rfsq_vq_cfg *cfg, const float *x, const float *zq, int64_t b, int64_t h, int64_t w, const float *dzq, float *dx)
     * }
     */
    public static FunctionDescriptor rfsq_vq_backward$descriptor() {
        return rfsq_vq_backward.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_vq_backward(rfsq_ctx *ctx, const rfsq_vq_cfg *cfg, const float *x, const float *zq, int64_t b, int64_t h, int64_t w, const float *dzq, float *dx)
     * }
     */
    public static MethodHandle rfsq_vq_backward$handle() {
        return rfsq_vq_backward.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_vq_backward(rfsq_ctx *ctx, const rfsq_vq_cfg *cfg, const float *x, const float *zq, int64_t b, int64_t h, int64_t w, const float *dzq, float *dx)
     * }
     */
    public static MemorySegment rfsq_vq_backward$address() {
        return rfsq_vq_backward.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_vq_backward(rfsq_ctx *ctx, const rfsq_vq_cfg *cfg, const float *x, const float *zq, int64_t b, int64_t h, int64_t w, const float *dzq, float *dx)
     * }
     */
    public static int rfsq_vq_backward(MemorySegment ctx, MemorySegment cfg, MemorySegment x, MemorySegment zq, long b, long h, long w, MemorySegment dzq, MemorySegment dx) {
        var mh$ = rfsq_vq_backward.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_vq_backward", ctx, cfg, x, zq, b, h, w, dzq, dx);
            }
            return (int)mh$.invokeExact(ctx, cfg, x, zq, b, h, w, dzq, dx);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_vq_decode {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_vq_decode");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_vq_decode(rfsq_ctx *ctx, const rfsq_vq_cfg *cfg, const float *codebook, const int32_t *idx, int64_t b, int64_t h, int64_t w, float *zq)
     * }
     */
    public static FunctionDescriptor rfsq_vq_decode$descriptor() {
        return rfsq_vq_decode.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_vq_decode(rfsq_ctx *ctx, const rfsq_vq_cfg *cfg, const float *codebook, const int32_t *idx, int64_t b, int64_t h, int64_t w, float *zq)
     * }
     */
    public static MethodHandle rfsq_vq_decode$handle() {
        return rfsq_vq_decode.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_vq_decode(rfsq_ctx *ctx, const rfsq_vq_cfg *cfg, const float *codebook, const int32_t *idx, int64_t b, int64_t h, int64_t w, float *zq)
     * }
     */
    public static MemorySegment rfsq_vq_decode$address() {
        return rfsq_vq_decode.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_vq_decode(rfsq_ctx *ctx, const rfsq_vq_cfg *cfg, const float *codebook, const int32_t *idx, int64_t b, int64_t h, int64_t w, float *zq)
     * }
     */
    public static int rfsq_vq_decode(MemorySegment ctx, MemorySegment cfg, MemorySegment codebook, MemorySegment idx, long b, long h, long w, MemorySegment zq) {
        var mh$ = rfsq_vq_decode.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_vq_decode", ctx, cfg, codebook, idx, b, h, w, zq);
            }
            return (int)mh$.invokeExact(ctx, cfg, codebook, idx, b, h, w, zq);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_max_pool2x2_forward {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_max_pool2x2_forward");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_max_pool2x2_forward(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, float *y)
     * }
     */
    public static FunctionDescriptor rfsq_max_pool2x2_forward$descriptor() {
        return rfsq_max_pool2x2_forward.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_max_pool2x2_forward(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, float *y)
     * }
     */
    public static MethodHandle rfsq_max_pool2x2_forward$handle() {
        return rfsq_max_pool2x2_forward.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_max_pool2x2_forward(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, float *y)
     * }
     */
    public static MemorySegment rfsq_max_pool2x2_forward$address() {
        return rfsq_max_pool2x2_forward.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_max_pool2x2_forward(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, float *y)
     * }
     */
    public static int rfsq_max_pool2x2_forward(MemorySegment ctx, MemorySegment x, long b, long c, long h, long w, MemorySegment y) {
        var mh$ = rfsq_max_pool2x2_forward.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_max_pool2x2_forward", ctx, x, b, c, h, w, y);
            }
            return (int)mh$.invokeExact(ctx, x, b, c, h, w, y);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_max_pool2x2_backward {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_max_pool2x2_backward");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_max_pool2x2_backward(rfsq_ctx *ctx, const float *x, const float *dy, int64_t b, int64_t c, int64_t h, int64_t w, float *dx)
     * }
     */
    public static FunctionDescriptor rfsq_max_pool2x2_backward$descriptor() {
        return rfsq_max_pool2x2_backward.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_max_pool2x2_backward(rfsq_ctx *ctx, const float *x, const float *dy, int64_t b, int64_t c, int64_t h, int64_t w, float *dx)
     * }
     */
    public static MethodHandle rfsq_max_pool2x2_backward$handle() {
        return rfsq_max_pool2x2_backward.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_max_pool2x2_backward(rfsq_ctx *ctx, const float *x, const float *dy, int64_t b, int64_t c, int64_t h, int64_t w, float *dx)
     * }
     */
    public static MemorySegment rfsq_max_pool2x2_backward$address() {
        return rfsq_max_pool2x2_backward.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_max_pool2x2_backward(rfsq_ctx *ctx, const float *x, const float *dy, int64_t b, int64_t c, int64_t h, int64_t w, float *dx)
     * }
     */
    public static int rfsq_max_pool2x2_backward(MemorySegment ctx, MemorySegment x, MemorySegment dy, long b, long c, long h, long w, MemorySegment dx) {
        var mh$ = rfsq_max_pool2x2_backward.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_max_pool2x2_backward", ctx, x, dy, b, c, h, w, dx);
            }
            return (int)mh$.invokeExact(ctx, x, dy, b, c, h, w, dx);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_avg_pool2x2_forward {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_avg_pool2x2_forward");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_avg_pool2x2_forward(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, float *y)
     * }
     */
    public static FunctionDescriptor rfsq_avg_pool2x2_forward$descriptor() {
        return rfsq_avg_pool2x2_forward.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_avg_pool2x2_forward(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, float *y)
     * }
     */
    public static MethodHandle rfsq_avg_pool2x2_forward$handle() {
        return rfsq_avg_pool2x2_forward.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_avg_pool2x2_forward(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, float *y)
     * }
     */
    public static MemorySegment rfsq_avg_pool2x2_forward$address() {
        return rfsq_avg_pool2x2_forward.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_avg_pool2x2_forward(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, float *y)
     * }
     */
    public static int rfsq_avg_pool2x2_forward(MemorySegment ctx, MemorySegment x, long b, long c, long h, long w, MemorySegment y) {
        var mh$ = rfsq_avg_pool2x2_forward.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_avg_pool2x2_forward", ctx, x, b, c, h, w, y);
            }
            return (int)mh$.invokeExact(ctx, x, b, c, h, w, y);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_to_8bit {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_to_8bit");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_to_8bit(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, const float *scale, const float *shift, float *y)
     * }
     */
    public static FunctionDescriptor rfsq_to_8bit$descriptor() {
        return rfsq_to_8bit.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_to_8bit(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, const float *scale, const float *shift, float *y)
     * }
     */
    public static MethodHandle rfsq_to_8bit$handle() {
        return rfsq_to_8bit.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_to_8bit(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, const float *scale, const float *shift, float *y)
     * }
     */
    public static MemorySegment rfsq_to_8bit$address() {
        return rfsq_to_8bit.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_to_8bit(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, const float *scale, const float *shift, float *y)
     * }
     */
    public static int rfsq_to_8bit(MemorySegment ctx, MemorySegment x, long b, long c, long h, long w, MemorySegment scale, MemorySegment shift, MemorySegment y) {
        var mh$ = rfsq_to_8bit.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_to_8bit", ctx, x, b, c, h, w, scale, shift, y);
            }
            return (int)mh$.invokeExact(ctx, x, b, c, h, w, scale, shift, y);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_image_errors {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_image_errors");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_image_errors(rfsq_ctx *ctx, const float *a, const float *b, int64_t batch, int64_t n, float *out)
     * }
     */
    public static FunctionDescriptor rfsq_image_errors$descriptor() {
        return rfsq_image_errors.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_image_errors(rfsq_ctx *ctx, const float *a, const float *b, int64_t batch, int64_t n, float *out)
     * }
     */
    public static MethodHandle rfsq_image_errors$handle() {
        return rfsq_image_errors.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_image_errors(rfsq_ctx *ctx, const float *a, const float *b, int64_t batch, int64_t n, float *out)
     * }
     */
    public static MemorySegment rfsq_image_errors$address() {
        return rfsq_image_errors.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_image_errors(rfsq_ctx *ctx, const float *a, const float *b, int64_t batch, int64_t n, float *out)
     * }
     */
    public static int rfsq_image_errors(MemorySegment ctx, MemorySegment a, MemorySegment b, long batch, long n, MemorySegment out) {
        var mh$ = rfsq_image_errors.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_image_errors", ctx, a, b, batch, n, out);
            }
            return (int)mh$.invokeExact(ctx, a, b, batch, n, out);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_ssim {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_FLOAT,
            rfsq_h.C_INT,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_ssim");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_ssim(rfsq_ctx *ctx, const float *x, const float *y, int64_t b, int64_t c, int64_t h, int64_t w, float data_range, int32_t sample_covariance, float *out)
     * }
     */
    public static FunctionDescriptor rfsq_ssim$descriptor() {
        return rfsq_ssim.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_ssim(rfsq_ctx *ctx, const float *x, const float *y, int64_t b, int64_t c, int64_t h, int64_t w, float data_range, int32_t sample_covariance, float *out)
     * }
     */
    public static MethodHandle rfsq_ssim$handle() {
        return rfsq_ssim.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_ssim(rfsq_ctx *ctx, const float *x, const float *y, int64_t b, int64_t c, int64_t h, int64_t w, float data_range, int32_t sample_covariance, float *out)
     * }
     */
    public static MemorySegment rfsq_ssim$address() {
        return rfsq_ssim.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_ssim(rfsq_ctx *ctx, const float *x, const float *y, int64_t b, int64_t c, int64_t h, int64_t w, float data_range, int32_t sample_covariance, float *out)
     * }
     */
    public static int rfsq_ssim(MemorySegment ctx, MemorySegment x, MemorySegment y, long b, long c, long h, long w, float data_range, int sample_covariance, MemorySegment out) {
        var mh$ = rfsq_ssim.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_ssim", ctx, x, y, b, c, h, w, data_range, sample_covariance, out);
            }
            return (int)mh$.invokeExact(ctx, x, y, b, c, h, w, data_range, sample_covariance, out);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_lpips_layer_forward {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER,
            rfsq_h.C_INT,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_lpips_layer_forward");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_lpips_layer_forward(rfsq_ctx *ctx, const float *fa, const float *fb, int64_t b, int64_t c, int64_t h, int64_t w, const float *weight, int32_t accumulate, float *d)
     * }
     */
    public static FunctionDescriptor rfsq_lpips_layer_forward$descriptor() {
        return rfsq_lpips_layer_forward.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_lpips_layer_forward(rfsq_ctx *ctx, const float *fa, const float *fb, int64_t b, int64_t c, int64_t h, int64_t w, const float *weight, int32_t accumulate, float *d)
     * }
     */
    public static MethodHandle rfsq_lpips_layer_forward$handle() {
        return rfsq_lpips_layer_forward.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_lpips_layer_forward(rfsq_ctx *ctx, const float *fa, const float *fb, int64_t b, int64_t c, int64_t h, int64_t w, const float *weight, int32_t accumulate, float *d)
     * }
     */
    public static MemorySegment rfsq_lpips_layer_forward$address() {
        return rfsq_lpips_layer_forward.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_lpips_layer_forward(rfsq_ctx *ctx, const float *fa, const float *fb, int64_t b, int64_t c, int64_t h, int64_t w, const float *weight, int32_t accumulate, float *d)
     * }
     */
    public static int rfsq_lpips_layer_forward(MemorySegment ctx, MemorySegment fa, MemorySegment fb, long b, long c, long h, long w, MemorySegment weight, int accumulate, MemorySegment d) {
        var mh$ = rfsq_lpips_layer_forward.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_lpips_layer_forward", ctx, fa, fb, b, c, h, w, weight, accumulate, d);
            }
            return (int)mh$.invokeExact(ctx, fa, fb, b, c, h, w, weight, accumulate, d);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_lpips_layer_backward {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER,
            rfsq_h.C_FLOAT,
            rfsq_h.C_INT,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_lpips_layer_backward");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_lpips_layer_backward(rfsq_ctx *ctx, const float *fa, const float *fb, int64_t b, int64_t c, int64_t h, int64_t w, const float *weight, float scale, int32_t accumulate, float *dfa)
     * }
     */
    public static FunctionDescriptor rfsq_lpips_layer_backward$descriptor() {
        return rfsq_lpips_layer_backward.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_lpips_layer_backward(rfsq_ctx *ctx, const float *fa, const float *fb, int64_t b, int64_t c, int64_t h, int64_t w, const float *weight, float scale, int32_t accumulate, float *dfa)
     * }
     */
    public static MethodHandle rfsq_lpips_layer_backward$handle() {
        return rfsq_lpips_layer_backward.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_lpips_layer_backward(rfsq_ctx *ctx, const float *fa, const float *fb, int64_t b, int64_t c, int64_t h, int64_t w, const float *weight, float scale, int32_t accumulate, float *dfa)
     * }
     */
    public static MemorySegment rfsq_lpips_layer_backward$address() {
        return rfsq_lpips_layer_backward.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_lpips_layer_backward(rfsq_ctx *ctx, const float *fa, const float *fb, int64_t b, int64_t c, int64_t h, int64_t w, const float *weight, float scale, int32_t accumulate, float *dfa)
     * }
     */
    public static int rfsq_lpips_layer_backward(MemorySegment ctx, MemorySegment fa, MemorySegment fb, long b, long c, long h, long w, MemorySegment weight, float scale, int accumulate, MemorySegment dfa) {
        var mh$ = rfsq_lpips_layer_backward.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_lpips_layer_backward", ctx, fa, fb, b, c, h, w, weight, scale, accumulate, dfa);
            }
            return (int)mh$.invokeExact(ctx, fa, fb, b, c, h, w, weight, scale, accumulate, dfa);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rfsq_channel_scale_add {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rfsq_h.C_INT,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_LONG,
            rfsq_h.C_POINTER,
            rfsq_h.C_POINTER
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("rfsq_channel_scale_add");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int rfsq_channel_scale_add(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, const float *scale, float *y)
     * }
     */
    public static FunctionDescriptor rfsq_channel_scale_add$descriptor() {
        return rfsq_channel_scale_add.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int rfsq_channel_scale_add(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, const float *scale, float *y)
     * }
     */
    public static MethodHandle rfsq_channel_scale_add$handle() {
        return rfsq_channel_scale_add.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int rfsq_channel_scale_add(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, const float *scale, float *y)
     * }
     */
    public static MemorySegment rfsq_channel_scale_add$address() {
        return rfsq_channel_scale_add.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int rfsq_channel_scale_add(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, const float *scale, float *y)
     * }
     */
    public static int rfsq_channel_scale_add(MemorySegment ctx, MemorySegment x, long b, long c, long h, long w, MemorySegment scale, MemorySegment y) {
        var mh$ = rfsq_channel_scale_add.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rfsq_channel_scale_add", ctx, x, b, c, h, w, scale, y);
            }
            return (int)mh$.invokeExact(ctx, x, b, c, h, w, scale, y);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }
}
