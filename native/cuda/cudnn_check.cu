// Compile-time proof that cudnn_subset.h matches the real cuDNN 9 headers. Built (by CMake, as part of librfsq,
// contributing no code) only where cudnn.h is found: RFSQ_CUDNN_INCLUDE, or a Python wheel's
// nvidia/cudnn/include. The real declarations live in the global namespace, ours in rfsq::cudnn; the X-macro
// lists of cudnn_subset.h are expanded once more here so that every name we declare is checked:
// - each enumerator: declared by cuDNN as a member of the same enum type, with the same value;
// - each enum type: the same size;
// - each algorithm-performance struct: the same size, and each field at the same offset with the same size;
// - each function: the signature we wrote, read in the global namespace (so with cuDNN's own types), is the
//   type of cuDNN's declaration (decltype(&::cudnnXxx)); and our opaque handle types have the same size.
#include <cudnn.h>

#include <stddef.h>

#include <type_traits>

#include "cudnn_subset.h"

#if !defined(CUDNN_MAJOR) || CUDNN_MAJOR != 9
#error "cudnn_subset.h describes cuDNN 9; the cudnn.h found is another major version"
#endif

namespace ours = rfsq::cudnn;

// Enumerators and enum types.
#define RFSQ_CHECK_ENUMERATOR(type, name, val)                                                        \
    static_assert(std::is_same<decltype(::name), ::type>::value, #name " is not a " #type " in cudnn.h"); \
    static_assert((long long)::name == (long long)(val), #name " has another value in cudnn.h");       \
    static_assert((long long)ours::name == (long long)::name, #name " differs from cudnn.h");
#define RFSQ_CHECK_ENUM(type, list)                                                                 \
    static_assert(sizeof(::type) == sizeof(ours::type), "sizeof(" #type ") differs from cudnn.h"); \
    list(RFSQ_CHECK_ENUMERATOR_OF_##type)

// list(X) calls X(name, value) without the type: one helper per enum type binds it.
#define RFSQ_CHECK_ENUMERATOR_OF_cudnnStatus_t(name, val) RFSQ_CHECK_ENUMERATOR(cudnnStatus_t, name, val)
#define RFSQ_CHECK_ENUMERATOR_OF_cudnnDataType_t(name, val) RFSQ_CHECK_ENUMERATOR(cudnnDataType_t, name, val)
#define RFSQ_CHECK_ENUMERATOR_OF_cudnnTensorFormat_t(name, val) RFSQ_CHECK_ENUMERATOR(cudnnTensorFormat_t, name, val)
#define RFSQ_CHECK_ENUMERATOR_OF_cudnnConvolutionMode_t(name, val) \
    RFSQ_CHECK_ENUMERATOR(cudnnConvolutionMode_t, name, val)
#define RFSQ_CHECK_ENUMERATOR_OF_cudnnMathType_t(name, val) RFSQ_CHECK_ENUMERATOR(cudnnMathType_t, name, val)
#define RFSQ_CHECK_ENUMERATOR_OF_cudnnDeterminism_t(name, val) RFSQ_CHECK_ENUMERATOR(cudnnDeterminism_t, name, val)
#define RFSQ_CHECK_ENUMERATOR_OF_cudnnConvolutionFwdAlgo_t(name, val) \
    RFSQ_CHECK_ENUMERATOR(cudnnConvolutionFwdAlgo_t, name, val)
#define RFSQ_CHECK_ENUMERATOR_OF_cudnnConvolutionBwdDataAlgo_t(name, val) \
    RFSQ_CHECK_ENUMERATOR(cudnnConvolutionBwdDataAlgo_t, name, val)
#define RFSQ_CHECK_ENUMERATOR_OF_cudnnConvolutionBwdFilterAlgo_t(name, val) \
    RFSQ_CHECK_ENUMERATOR(cudnnConvolutionBwdFilterAlgo_t, name, val)
RFSQ_CUDNN_ENUMS(RFSQ_CHECK_ENUM)

// Algorithm-performance structs.
#define RFSQ_CHECK_FIELD_OF(type, field)                                                                     \
    static_assert(offsetof(::type, field) == offsetof(ours::type, field), #type "." #field " moved");        \
    static_assert(sizeof(((::type*)nullptr)->field) == sizeof(((ours::type*)nullptr)->field),                \
                  #type "." #field " has another size");
#define RFSQ_CHECK_PERF(type, algo_type)                                                                    \
    static_assert(sizeof(::type) == sizeof(ours::type), "sizeof(" #type ") differs from cudnn.h");         \
    static_assert(std::is_same<decltype(((::type*)nullptr)->algo), ::algo_type>::value, #type ".algo type"); \
    static_assert(std::is_same<decltype(((::type*)nullptr)->mathType), ::cudnnMathType_t>::value,         \
                  #type ".mathType type");                                                                  \
    static_assert(std::is_same<decltype(((::type*)nullptr)->determinism), ::cudnnDeterminism_t>::value,   \
                  #type ".determinism type");                                                               \
    static_assert(std::is_same<decltype(((::type*)nullptr)->status), ::cudnnStatus_t>::value,             \
                  #type ".status type");                                                                    \
    static_assert(std::is_same<decltype(((::type*)nullptr)->memory), size_t>::value, #type ".memory type");  \
    static_assert(std::is_same<decltype(((::type*)nullptr)->time), float>::value, #type ".time type");       \
    RFSQ_CUDNN_PERF_FIELDS(RFSQ_CHECK_FIELD_OF_##type)
#define RFSQ_CHECK_FIELD_OF_cudnnConvolutionFwdAlgoPerf_t(field) RFSQ_CHECK_FIELD_OF(cudnnConvolutionFwdAlgoPerf_t, field)
#define RFSQ_CHECK_FIELD_OF_cudnnConvolutionBwdDataAlgoPerf_t(field) \
    RFSQ_CHECK_FIELD_OF(cudnnConvolutionBwdDataAlgoPerf_t, field)
#define RFSQ_CHECK_FIELD_OF_cudnnConvolutionBwdFilterAlgoPerf_t(field) \
    RFSQ_CHECK_FIELD_OF(cudnnConvolutionBwdFilterAlgoPerf_t, field)
RFSQ_CUDNN_PERF_STRUCTS(RFSQ_CHECK_PERF)

// Handles.
static_assert(std::is_pointer<::cudnnHandle_t>::value && sizeof(::cudnnHandle_t) == sizeof(ours::cudnnHandle_t), "cudnnHandle_t");
static_assert(std::is_pointer<::cudnnTensorDescriptor_t>::value, "cudnnTensorDescriptor_t");
static_assert(std::is_pointer<::cudnnFilterDescriptor_t>::value, "cudnnFilterDescriptor_t");
static_assert(std::is_pointer<::cudnnConvolutionDescriptor_t>::value, "cudnnConvolutionDescriptor_t");
static_assert(std::is_same<::cudnnHandle_t, ::cudnnContext*>::value, "cudnnHandle_t is not cudnnContext*");
static_assert(std::is_same<::cudnnTensorDescriptor_t, ::cudnnTensorStruct*>::value, "cudnnTensorDescriptor_t");
static_assert(std::is_same<::cudnnFilterDescriptor_t, ::cudnnFilterStruct*>::value, "cudnnFilterDescriptor_t");
static_assert(std::is_same<::cudnnConvolutionDescriptor_t, ::cudnnConvolutionStruct*>::value,
              "cudnnConvolutionDescriptor_t");

// Functions: our parameter lists, read with cuDNN's types, against cuDNN's declarations.
#define RFSQ_CHECK_FUNCTION(name, ret, params)                                                         \
    static_assert(std::is_same<decltype(&::name), ret(*) params>::value,                              \
                  #name ": the signature in cudnn_subset.h differs from cudnn.h");                     \
    static_assert(sizeof(ours::name##_fn) == sizeof(decltype(&::name)), #name " pointer size");
RFSQ_CUDNN_FUNCTIONS(RFSQ_CHECK_FUNCTION)
