// Process-wide count of live contexts and rfsq_alloc buffers (rfsq_live_objects), for leak tests.
#pragma once

#include <atomic>
#include <stdint.h>

namespace rfsq {
inline std::atomic<int64_t>& live_objects() {
    static std::atomic<int64_t> count{0};
    return count;
}
}  // namespace rfsq
