// The part of cuDNN 9's C API that conv_cudnn.cu uses, declared by us: cuDNN's headers exist on no build
// machine, and the library is loaded at run time (dlopen of libcudnn.so.9), so only the types, the enum
// values and the function signatures are needed. Everything lives in namespace rfsq::cudnn.
//
// Where it came from and how it is kept right:
// - Values and signatures are those of cuDNN 9 (legacy descriptor API: cudnn_graph.h, cudnn_ops.h,
//   cudnn_cnn.h), cross-checked against org.bytedeco:cuda:13.3-9.25-1.5.14 (cuDNN 9.25's constants as Java
//   ints, its method signatures with their @Cast/@Const/@ByPtrPtr annotations).
// - Every enumerator and every signature is written once, in the X-macro lists below. cudnn_check.cu expands
//   the same lists next to the real cudnn.h and static_asserts that each value, each struct layout and each
//   function type is identical; CMake compiles it wherever cudnn.h is found (RFSQ_CUDNN_INCLUDE), so a wrong
//   declaration fails the build on a machine that has cuDNN.
// Only names that cuDNN 9 does not mark deprecated are used.
#pragma once

#include <stddef.h>

#include <cuda_runtime_api.h>  // cudaStream_t

// ---- enums: (type, list of (enumerator, value)) ------------------------------------------------------------
#define RFSQ_CUDNN_STATUS(X)                                   \
    X(CUDNN_STATUS_SUCCESS, 0)                                 \
    X(CUDNN_STATUS_NOT_INITIALIZED, 1001)                      \
    X(CUDNN_STATUS_SUBLIBRARY_VERSION_MISMATCH, 1002)          \
    X(CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED, 1008)            \
    X(CUDNN_STATUS_BAD_PARAM, 2000)                            \
    X(CUDNN_STATUS_NOT_SUPPORTED, 3000)                        \
    X(CUDNN_STATUS_INTERNAL_ERROR, 4000)                       \
    X(CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED, 4003) \
    X(CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED, 4004) \
    X(CUDNN_STATUS_EXECUTION_FAILED, 5000)

#define RFSQ_CUDNN_DATA_TYPE(X) \
    X(CUDNN_DATA_FLOAT, 0)      \
    X(CUDNN_DATA_DOUBLE, 1)

#define RFSQ_CUDNN_TENSOR_FORMAT(X) \
    X(CUDNN_TENSOR_NCHW, 0)         \
    X(CUDNN_TENSOR_NHWC, 1)

#define RFSQ_CUDNN_CONVOLUTION_MODE(X) \
    X(CUDNN_CONVOLUTION, 0)            \
    X(CUDNN_CROSS_CORRELATION, 1)

#define RFSQ_CUDNN_MATH_TYPE(X)                  \
    X(CUDNN_DEFAULT_MATH, 0)                     \
    X(CUDNN_TENSOR_OP_MATH, 1)                   \
    X(CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION, 2)  \
    X(CUDNN_FMA_MATH, 3)

#define RFSQ_CUDNN_DETERMINISM(X)    \
    X(CUDNN_NON_DETERMINISTIC, 0)    \
    X(CUDNN_DETERMINISTIC, 1)

#define RFSQ_CUDNN_FWD_ALGO(X)                                \
    X(CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, 0)            \
    X(CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, 1)    \
    X(CUDNN_CONVOLUTION_FWD_ALGO_GEMM, 2)                     \
    X(CUDNN_CONVOLUTION_FWD_ALGO_DIRECT, 3)                   \
    X(CUDNN_CONVOLUTION_FWD_ALGO_FFT, 4)                      \
    X(CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING, 5)               \
    X(CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD, 6)                 \
    X(CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED, 7)        \
    X(CUDNN_CONVOLUTION_FWD_ALGO_COUNT, 8)

#define RFSQ_CUDNN_BWD_DATA_ALGO(X)                            \
    X(CUDNN_CONVOLUTION_BWD_DATA_ALGO_0, 0)                    \
    X(CUDNN_CONVOLUTION_BWD_DATA_ALGO_1, 1)                    \
    X(CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT, 2)                  \
    X(CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT_TILING, 3)           \
    X(CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD, 4)             \
    X(CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD_NONFUSED, 5)    \
    X(CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, 6)

#define RFSQ_CUDNN_BWD_FILTER_ALGO(X)                          \
    X(CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0, 0)                  \
    X(CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1, 1)                  \
    X(CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT, 2)                \
    X(CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3, 3)                  \
    X(CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD, 4)           \
    X(CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD_NONFUSED, 5)  \
    X(CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT_TILING, 6)         \
    X(CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT, 7)

// All enum types: E(type name, its list).
#define RFSQ_CUDNN_ENUMS(E)                                        \
    E(cudnnStatus_t, RFSQ_CUDNN_STATUS)                            \
    E(cudnnDataType_t, RFSQ_CUDNN_DATA_TYPE)                       \
    E(cudnnTensorFormat_t, RFSQ_CUDNN_TENSOR_FORMAT)               \
    E(cudnnConvolutionMode_t, RFSQ_CUDNN_CONVOLUTION_MODE)         \
    E(cudnnMathType_t, RFSQ_CUDNN_MATH_TYPE)                       \
    E(cudnnDeterminism_t, RFSQ_CUDNN_DETERMINISM)                  \
    E(cudnnConvolutionFwdAlgo_t, RFSQ_CUDNN_FWD_ALGO)              \
    E(cudnnConvolutionBwdDataAlgo_t, RFSQ_CUDNN_BWD_DATA_ALGO)     \
    E(cudnnConvolutionBwdFilterAlgo_t, RFSQ_CUDNN_BWD_FILTER_ALGO)

// ---- the algorithm-performance structs: S(type, algo enum type); fields as in cuDNN 9 --------------------
#define RFSQ_CUDNN_PERF_STRUCTS(S)                                   \
    S(cudnnConvolutionFwdAlgoPerf_t, cudnnConvolutionFwdAlgo_t)      \
    S(cudnnConvolutionBwdDataAlgoPerf_t, cudnnConvolutionBwdDataAlgo_t) \
    S(cudnnConvolutionBwdFilterAlgoPerf_t, cudnnConvolutionBwdFilterAlgo_t)
#define RFSQ_CUDNN_PERF_FIELDS(F) F(algo) F(status) F(time) F(memory) F(determinism) F(mathType) F(reserved)

// ---- functions: F(name, return type, (parameters)), each exactly as cuDNN 9 declares it (top-level const on a
// by-value parameter, as in "const cudnnTensorDescriptor_t xDesc", is not part of a function's type) --------
#define RFSQ_CUDNN_FUNCTIONS(F)                                                                                   \
    F(cudnnGetVersion, size_t, (void))                                                                            \
    F(cudnnGetErrorString, const char*, (cudnnStatus_t status))                                                   \
    F(cudnnCreate, cudnnStatus_t, (cudnnHandle_t * handle))                                                       \
    F(cudnnDestroy, cudnnStatus_t, (cudnnHandle_t handle))                                                        \
    F(cudnnSetStream, cudnnStatus_t, (cudnnHandle_t handle, cudaStream_t streamId))                               \
    F(cudnnCreateTensorDescriptor, cudnnStatus_t, (cudnnTensorDescriptor_t * tensorDesc))                         \
    F(cudnnDestroyTensorDescriptor, cudnnStatus_t, (cudnnTensorDescriptor_t tensorDesc))                          \
    F(cudnnSetTensor4dDescriptor, cudnnStatus_t,                                                                  \
      (cudnnTensorDescriptor_t tensorDesc, cudnnTensorFormat_t format, cudnnDataType_t dataType, int n, int c,    \
       int h, int w))                                                                                             \
    F(cudnnCreateFilterDescriptor, cudnnStatus_t, (cudnnFilterDescriptor_t * filterDesc))                         \
    F(cudnnDestroyFilterDescriptor, cudnnStatus_t, (cudnnFilterDescriptor_t filterDesc))                          \
    F(cudnnSetFilter4dDescriptor, cudnnStatus_t,                                                                  \
      (cudnnFilterDescriptor_t filterDesc, cudnnDataType_t dataType, cudnnTensorFormat_t format, int k, int c,    \
       int h, int w))                                                                                             \
    F(cudnnCreateConvolutionDescriptor, cudnnStatus_t, (cudnnConvolutionDescriptor_t * convDesc))                 \
    F(cudnnDestroyConvolutionDescriptor, cudnnStatus_t, (cudnnConvolutionDescriptor_t convDesc))                  \
    F(cudnnSetConvolution2dDescriptor, cudnnStatus_t,                                                             \
      (cudnnConvolutionDescriptor_t convDesc, int pad_h, int pad_w, int u, int v, int dilation_h, int dilation_w, \
       cudnnConvolutionMode_t mode, cudnnDataType_t computeType))                                                 \
    F(cudnnSetConvolutionMathType, cudnnStatus_t, (cudnnConvolutionDescriptor_t convDesc, cudnnMathType_t mathType)) \
    F(cudnnGetConvolution2dForwardOutputDim, cudnnStatus_t,                                                       \
      (cudnnConvolutionDescriptor_t convDesc, cudnnTensorDescriptor_t inputTensorDesc,                            \
       cudnnFilterDescriptor_t filterDesc, int* n, int* c, int* h, int* w))                                       \
    F(cudnnGetConvolutionForwardAlgorithm_v7, cudnnStatus_t,                                                      \
      (cudnnHandle_t handle, cudnnTensorDescriptor_t srcDesc, cudnnFilterDescriptor_t filterDesc,                 \
       cudnnConvolutionDescriptor_t convDesc, cudnnTensorDescriptor_t destDesc, int requestedAlgoCount,           \
       int* returnedAlgoCount, cudnnConvolutionFwdAlgoPerf_t* perfResults))                                       \
    F(cudnnGetConvolutionBackwardDataAlgorithm_v7, cudnnStatus_t,                                                 \
      (cudnnHandle_t handle, cudnnFilterDescriptor_t filterDesc, cudnnTensorDescriptor_t diffDesc,                \
       cudnnConvolutionDescriptor_t convDesc, cudnnTensorDescriptor_t gradDesc, int requestedAlgoCount,           \
       int* returnedAlgoCount, cudnnConvolutionBwdDataAlgoPerf_t* perfResults))                                   \
    F(cudnnGetConvolutionBackwardFilterAlgorithm_v7, cudnnStatus_t,                                               \
      (cudnnHandle_t handle, cudnnTensorDescriptor_t srcDesc, cudnnTensorDescriptor_t diffDesc,                   \
       cudnnConvolutionDescriptor_t convDesc, cudnnFilterDescriptor_t gradDesc, int requestedAlgoCount,           \
       int* returnedAlgoCount, cudnnConvolutionBwdFilterAlgoPerf_t* perfResults))                                 \
    F(cudnnGetConvolutionForwardWorkspaceSize, cudnnStatus_t,                                                     \
      (cudnnHandle_t handle, cudnnTensorDescriptor_t xDesc, cudnnFilterDescriptor_t wDesc,                        \
       cudnnConvolutionDescriptor_t convDesc, cudnnTensorDescriptor_t yDesc, cudnnConvolutionFwdAlgo_t algo,      \
       size_t* sizeInBytes))                                                                                      \
    F(cudnnGetConvolutionBackwardDataWorkspaceSize, cudnnStatus_t,                                                \
      (cudnnHandle_t handle, cudnnFilterDescriptor_t wDesc, cudnnTensorDescriptor_t dyDesc,                       \
       cudnnConvolutionDescriptor_t convDesc, cudnnTensorDescriptor_t dxDesc, cudnnConvolutionBwdDataAlgo_t algo, \
       size_t* sizeInBytes))                                                                                      \
    F(cudnnGetConvolutionBackwardFilterWorkspaceSize, cudnnStatus_t,                                              \
      (cudnnHandle_t handle, cudnnTensorDescriptor_t xDesc, cudnnTensorDescriptor_t dyDesc,                       \
       cudnnConvolutionDescriptor_t convDesc, cudnnFilterDescriptor_t gradDesc,                                   \
       cudnnConvolutionBwdFilterAlgo_t algo, size_t* sizeInBytes))                                                \
    F(cudnnConvolutionForward, cudnnStatus_t,                                                                     \
      (cudnnHandle_t handle, const void* alpha, cudnnTensorDescriptor_t xDesc, const void* x,                     \
       cudnnFilterDescriptor_t wDesc, const void* w, cudnnConvolutionDescriptor_t convDesc,                       \
       cudnnConvolutionFwdAlgo_t algo, void* workSpace, size_t workSpaceSizeInBytes, const void* beta,            \
       cudnnTensorDescriptor_t yDesc, void* y))                                                                   \
    F(cudnnConvolutionBackwardData, cudnnStatus_t,                                                                \
      (cudnnHandle_t handle, const void* alpha, cudnnFilterDescriptor_t wDesc, const void* w,                     \
       cudnnTensorDescriptor_t dyDesc, const void* dy, cudnnConvolutionDescriptor_t convDesc,                     \
       cudnnConvolutionBwdDataAlgo_t algo, void* workSpace, size_t workSpaceSizeInBytes, const void* beta,        \
       cudnnTensorDescriptor_t dxDesc, void* dx))                                                                 \
    F(cudnnConvolutionBackwardFilter, cudnnStatus_t,                                                              \
      (cudnnHandle_t handle, const void* alpha, cudnnTensorDescriptor_t xDesc, const void* x,                     \
       cudnnTensorDescriptor_t dyDesc, const void* dy, cudnnConvolutionDescriptor_t convDesc,                     \
       cudnnConvolutionBwdFilterAlgo_t algo, void* workSpace, size_t workSpaceSizeInBytes, const void* beta,      \
       cudnnFilterDescriptor_t dwDesc, void* dw))                                                                 \
    F(cudnnConvolutionBackwardBias, cudnnStatus_t,                                                                \
      (cudnnHandle_t handle, const void* alpha, cudnnTensorDescriptor_t dyDesc, const void* dy, const void* beta, \
       cudnnTensorDescriptor_t dbDesc, void* db))                                                                 \
    F(cudnnAddTensor, cudnnStatus_t,                                                                              \
      (cudnnHandle_t handle, const void* alpha, cudnnTensorDescriptor_t aDesc, const void* A, const void* beta,   \
       cudnnTensorDescriptor_t cDesc, void* C))

namespace rfsq {
namespace cudnn {

// Opaque handles: pointers to incomplete structs, as in cuDNN (the struct tags are cuDNN's).
struct cudnnContext;
struct cudnnTensorStruct;
struct cudnnFilterStruct;
struct cudnnConvolutionStruct;
typedef cudnnContext* cudnnHandle_t;
typedef cudnnTensorStruct* cudnnTensorDescriptor_t;
typedef cudnnFilterStruct* cudnnFilterDescriptor_t;
typedef cudnnConvolutionStruct* cudnnConvolutionDescriptor_t;

#define RFSQ_CUDNN_ENUMERATOR(name, value) name = value,
#define RFSQ_CUDNN_ENUM(type, list) typedef enum { list(RFSQ_CUDNN_ENUMERATOR) } type;
RFSQ_CUDNN_ENUMS(RFSQ_CUDNN_ENUM)
#undef RFSQ_CUDNN_ENUM
#undef RFSQ_CUDNN_ENUMERATOR

#define RFSQ_CUDNN_PERF_STRUCT(type, algo_type) \
    typedef struct {                            \
        algo_type algo;                         \
        cudnnStatus_t status;                   \
        float time;                             \
        size_t memory;                          \
        cudnnDeterminism_t determinism;         \
        cudnnMathType_t mathType;               \
        int reserved[3];                        \
    } type;
RFSQ_CUDNN_PERF_STRUCTS(RFSQ_CUDNN_PERF_STRUCT)
#undef RFSQ_CUDNN_PERF_STRUCT

// One function-pointer type per function: cudnnXxx_fn.
#define RFSQ_CUDNN_FN_TYPE(name, ret, params) typedef ret(*name##_fn) params;
RFSQ_CUDNN_FUNCTIONS(RFSQ_CUDNN_FN_TYPE)
#undef RFSQ_CUDNN_FN_TYPE

// The resolved entry points of one loaded libcudnn.so.9.
struct Api {
#define RFSQ_CUDNN_FN_MEMBER(name, ret, params) name##_fn name = nullptr;
    RFSQ_CUDNN_FUNCTIONS(RFSQ_CUDNN_FN_MEMBER)
#undef RFSQ_CUDNN_FN_MEMBER
};

}  // namespace cudnn
}  // namespace rfsq
