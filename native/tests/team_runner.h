// A test-only runner that executes the team functors of native/common/ops_*.h the way the CUDA backend's
// team_kernel runs them (native/cuda/cuda_backend.cu), on the CPU: a team of T real threads (T = 1, 4, 32, 256),
//   - sync() a real barrier (__syncthreads);
//   - sum(v, n) with CudaTeam's combining order: an xor butterfly within warps of min(T, 32) lanes (the
//     __shfl_xor_sync steps, offsets 16, 8, 4, 2, 1), then lane 0 of each warp stores its total and the totals
//     of the warps are added in warp order starting from 0.0f, with CudaTeam's barriers; at T = 256 the partial
//     sums are combined exactly as a 256-thread block combines them;
//   - work() laid out as the CUDA backend lays it out: dynamic "shared" memory (16-byte aligned, fresh and
//     poisoned for every block) when the work fits beside team.sum's static array within the device's opt-in
//     maximum, else one slice per block of a poisoned global buffer (16-byte stride), with the grid capped at
//     4 blocks per SM so that blocks loop over several teams and reuse their scratch;
//   - flag(bits) or-ed into the launch's bad-data bits.
// Blocks run one after another; the members of a block run concurrently (Schedule::Free) or, to make a missing
// barrier show deterministically, one at a time between barriers in a fixed order per phase (ascending,
// descending, or shuffled by a seed): a member that reads what another writes before the barrier that should
// separate them then reads poison or stale data. A barrier reached by only some members (a divergent sync) ends
// the process with a message after a timeout instead of hanging.
//
// What it cannot reproduce: the GPU's per-element arithmetic (its tanhf, fused multiply-adds that nvcc contracts),
// so CUDA results are compared with the float64 references, not with these runs bit for bit.
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <typeinfo>
#include <vector>

#include "ops.h"

namespace emu {

using rfsq::kMaxSums;
using rfsq::Launch;

// The CUDA backend's launch constants (cuda_backend.cu).
constexpr int kCudaThreads = 256;
constexpr int64_t kMaxGrid = 65535;
constexpr int64_t kGlobalWorkBlocksPerSm = 4;
// team.sum's static shared array in team_kernel: (warps + 1) x kMaxSums floats (2,304 bytes). The real static size
// of each kernel comes from cudaFuncGetAttributes on the GPU; this is the size whenever an op uses team.sum.
constexpr int64_t kStaticShared = (kCudaThreads / 32 + 1) * kMaxSums * (int64_t)sizeof(float);

// What decides where team scratch lives: the opt-in shared memory per block and the SM count.
struct Device {
    const char* name;
    int64_t max_shared;
    int64_t sm_count;
};
constexpr Device kH200{"H200 (227 KB shared, 132 SMs)", 232448, 132};
// No room for dynamic shared memory and one SM: every op with team work uses the global buffer with a grid of 4.
constexpr Device kTinyShared{"no shared room (global scratch, grid 4)", kStaticShared, 1};

enum class Schedule { Free, Ascending, Descending, Shuffled };

inline const char* schedule_name(Schedule s) {
    return s == Schedule::Free ? "free" : s == Schedule::Ascending ? "ascending" : s == Schedule::Descending ? "descending" : "shuffled";
}

// The barrier of one block, with the order members run in between barriers (ordered schedules).
class Gate {
   public:
    Gate(int T, Schedule s, uint64_t seed) : T_(T), s_(s), rng_(seed * 0x9E3779B97F4A7C15ull + 1), order_(T) {
        for (int i = 0; i < T; ++i) cv_.emplace_back(new std::condition_variable());
    }

    void start() {
        std::lock_guard<std::mutex> lock(mu_);
        arrived_ = 0;
        pos_ = 0;
        next_order();
    }

    // At the start of a block: wait for this member's turn.
    void enter(int r) {
        if (s_ == Schedule::Free) return;
        std::unique_lock<std::mutex> lock(mu_);
        wait(lock, r, [&] { return order_[pos_] == r; });
    }

    // __syncthreads.
    void barrier(int r) {
        std::unique_lock<std::mutex> lock(mu_);
        const uint64_t phase = phase_;
        if (++arrived_ == T_) {
            arrived_ = 0;
            ++phase_;
            pos_ = 0;
            next_order();
            if (s_ == Schedule::Free) {
                for (auto& cv : cv_) cv->notify_one();
            } else {
                cv_[order_[0]]->notify_one();
            }
        } else if (s_ != Schedule::Free) {
            ++pos_;
            cv_[order_[pos_]]->notify_one();
        }
        wait(lock, r, [&] { return phase_ != phase && (s_ == Schedule::Free || order_[pos_] == r); });
    }

    // At the end of a block (after its last barrier): hand the turn on.
    void leave(int) {
        if (s_ == Schedule::Free) return;
        std::lock_guard<std::mutex> lock(mu_);
        if (++pos_ < T_) cv_[order_[pos_]]->notify_one();
    }

   private:
    template <class Pred>
    void wait(std::unique_lock<std::mutex>& lock, int r, Pred ready) {
        if (!cv_[r]->wait_for(lock, std::chrono::seconds(120), ready)) {
            fprintf(stderr, "FAIL team emulation: member %d of %d waited 120 s at a barrier (a sync() that not every "
                    "member of the team reaches?)\n", r, T_);
            fflush(stderr);
            _exit(3);
        }
    }

    void next_order() {
        for (int i = 0; i < T_; ++i) order_[i] = s_ == Schedule::Descending ? T_ - 1 - i : i;
        if (s_ == Schedule::Shuffled)
            for (int i = T_ - 1; i > 0; --i) {
                rng_ ^= rng_ << 13, rng_ ^= rng_ >> 7, rng_ ^= rng_ << 17;
                std::swap(order_[i], order_[(int)(rng_ % (uint64_t)(i + 1))]);
            }
    }

    const int T_;
    const Schedule s_;
    uint64_t rng_;
    std::mutex mu_;
    std::vector<std::unique_ptr<std::condition_variable>> cv_;
    std::vector<int> order_;
    int pos_ = 0, arrived_ = 0;
    uint64_t phase_ = 0;
};

// What the members of one running block share.
struct Block {
    int T;
    Gate* gate;
    float* work;
    std::vector<float> lanes;  // [T][kMaxSums]: each member's values going into sum()
    std::vector<float> red;    // [warps + 1][kMaxSums]: as CudaTeam's shared array
    std::atomic<unsigned>* bad;
};

struct EmuTeam {
    Block* b;
    int r;

    int rank() const { return r; }
    int size() const { return b->T; }
    void sync() const { b->gate->barrier(r); }
    void flag(unsigned bits) const { b->bad->fetch_or(bits); }
    float* work() const { return b->work; }

    void sum(float* v, int n) const {
        const int T = b->T, W = T < 32 ? T : 32, warps = T / W;
        for (int i = 0; i < n; ++i) b->lanes[(size_t)r * kMaxSums + i] = v[i];
        sync();  // stands in for the warp-synchronous shuffles; CudaTeam's first __syncthreads follows at once
        if (r % W == 0) {
            const int w = r / W;
            for (int i = 0; i < n; ++i) {
                float x[32], y[32];
                for (int l = 0; l < W; ++l) x[l] = b->lanes[(size_t)(w * W + l) * kMaxSums + i];
                for (int o = W / 2; o > 0; o >>= 1) {  // x += __shfl_xor_sync(x, o) on every lane
                    for (int l = 0; l < W; ++l) y[l] = x[l] + x[l ^ o];
                    memcpy(x, y, sizeof(float) * W);
                }
                b->red[(size_t)w * kMaxSums + i] = x[0];
            }
        }
        sync();
        for (int i = r; i < n; i += T) {  // CudaTeam: threads < n (n <= kMaxSums <= 256 there)
            float s = 0.0f;
            for (int w = 0; w < warps; ++w) s += b->red[(size_t)w * kMaxSums + i];
            b->red[(size_t)warps * kMaxSums + i] = s;
        }
        sync();
        for (int i = 0; i < n; ++i) v[i] = b->red[(size_t)warps * kMaxSums + i];
        sync();
    }
};

// Every op type a runner has run in this process (the tests check that none of RFSQ_FOR_EACH_OP is missing).
inline std::set<std::string>& ops_run() {
    static std::set<std::string> names;
    return names;
}

struct AlignedFloats {
    float* p = nullptr;
    explicit AlignedFloats(int64_t n) {
        p = static_cast<float*>(aligned_alloc(16, (size_t)((n * 4 + 15) / 16 * 16 + 16)));
        memset(p, 0xFF, (size_t)(n * 4));  // NaN (and -1 as int32): scratch is never zero on a GPU either
    }
    ~AlignedFloats() { free(p); }
    AlignedFloats(const AlignedFloats&) = delete;
};

// T persistent member threads; run() executes one launch.
class Runner {
   public:
    Runner(int T, Schedule s, uint64_t seed = 1) : T_(T), s_(s), gate_(T, s, seed) {
        for (int r = 0; r < T; ++r) threads_.emplace_back([this, r] { member(r); });
    }
    ~Runner() {
        {
            std::lock_guard<std::mutex> lock(mu_);
            stop_ = true;
        }
        cv_.notify_all();
        for (auto& t : threads_) t.join();
    }
    Runner(const Runner&) = delete;

    int T() const { return T_; }
    Schedule schedule() const { return s_; }

    // Runs launch.teams teams of op as team_kernel<Op> would on dev; returns the bad-data bits raised.
    template <class Op>
    unsigned run(const Op& op, Launch launch, const Device& dev) {
        ops_run().insert(typeid(Op).name());
        const int64_t work_bytes = launch.work_floats * (int64_t)sizeof(float);
        const bool in_shared = kStaticShared + work_bytes <= dev.max_shared;
        const int64_t stride = rfsq::work_stride(launch.work_floats);
        int64_t grid = launch.teams < kMaxGrid ? launch.teams : kMaxGrid;
        if (!in_shared) grid = std::min(grid, dev.sm_count * kGlobalWorkBlocksPerSm);
        std::unique_ptr<AlignedFloats> global;
        if (!in_shared && launch.work_floats > 0) global.reset(new AlignedFloats(grid * stride));
        std::atomic<unsigned> bad{0};
        for (int64_t g = 0; g < grid; ++g) {
            std::unique_ptr<AlignedFloats> shared;
            if (in_shared && launch.work_floats > 0) shared.reset(new AlignedFloats(launch.work_floats));
            Block blk{T_, &gate_, in_shared ? (shared ? shared->p : nullptr) : (global ? global->p + g * stride : nullptr),
                      std::vector<float>((size_t)T_ * kMaxSums), std::vector<float>((size_t)(T_ / std::min(T_, 32) + 1) * kMaxSums),
                      &bad};
            gate_.start();
            dispatch([&](int r) {
                const EmuTeam team{&blk, r};
                gate_.enter(r);
                for (int64_t i = g; i < launch.teams; i += grid) {
                    op(team, i);
                    team.sync();  // the next team reuses the block's scratch
                }
                gate_.leave(r);
            });
        }
        return bad.load();
    }

   private:
    void dispatch(const std::function<void(int)>& job) {
        std::unique_lock<std::mutex> lock(mu_);
        job_ = &job;
        running_ = T_;
        ++generation_;
        cv_.notify_all();
        done_.wait(lock, [&] { return running_ == 0; });
        job_ = nullptr;
    }

    void member(int r) {
        uint64_t seen = 0;
        for (;;) {
            const std::function<void(int)>* job;
            {
                std::unique_lock<std::mutex> lock(mu_);
                cv_.wait(lock, [&] { return stop_ || generation_ != seen; });
                if (stop_) return;
                seen = generation_;
                job = job_;
            }
            (*job)(r);
            std::lock_guard<std::mutex> lock(mu_);
            if (--running_ == 0) done_.notify_one();
        }
    }

    const int T_;
    const Schedule s_;
    Gate gate_;
    std::vector<std::thread> threads_;
    std::mutex mu_;
    std::condition_variable cv_, done_;
    const std::function<void(int)>* job_ = nullptr;
    uint64_t generation_ = 0;
    int running_ = 0;
    bool stop_ = false;
};

}  // namespace emu
