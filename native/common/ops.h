// Every op of rfsq.h as a team functor (team.h), one header per family. A new family adds its header here
// and its list RFSQ_<FAMILY>_OPS to RFSQ_FOR_EACH_OP (the order gives the op ids the CUDA backend reports).
#pragma once

#include "ops_conv.h"
#include "ops_fsq.h"
#include "ops_lfq.h"
#include "ops_lpips.h"
#include "ops_metrics.h"
#include "ops_pool.h"
#include "ops_rfsq.h"
#include "ops_train.h"
#include "ops_vq.h"

// Every op, for the backends' explicit instantiations and the table of op names.
#define RFSQ_FOR_EACH_OP(X)                                                                                   \
    RFSQ_FSQ_OPS(X) RFSQ_RFSQ_OPS(X) RFSQ_TRAIN_OPS(X) RFSQ_LFQ_OPS(X) RFSQ_VQ_OPS(X) RFSQ_POOL_OPS(X)           \
    RFSQ_METRICS_OPS(X) RFSQ_LPIPS_OPS(X) RFSQ_CONV_OPS(X)
