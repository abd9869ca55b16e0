package dev.rfsq4j.train;

import dev.rfsq4j.DType;
import dev.rfsq4j.Graph;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.eval.InputRange;
import dev.rfsq4j.eval.Lpips;
import dev.rfsq4j.nn.Adam;
import dev.rfsq4j.nn.ImageNormalization;
import dev.rfsq4j.nn.L1Loss;
import dev.rfsq4j.nn.LrSchedule;
import dev.rfsq4j.nn.VqVae;
import dev.rfsq4j.nn.WorkBuffers;

/**
 * One training step, all on the device: normalize, forward, L1 loss (+ LPIPS-VGG when given, + the quantizer's
 * auxiliary loss inside its backward), backward, Adam update. Nothing here waits for the device; {@link #losses()} does. On CUDA the step
 * is recorded once (after a first step has created every buffer, cuDNN plan and scratch) and then replayed as one
 * CUDA graph; if recording fails the step keeps running op by op, and {@link #graphNote()} says why.
 */
public final class TrainingStep implements AutoCloseable {
    /** Host copy of a step's losses (the L1 and LPIPS terms are weighted; lpips is 0 without LPIPS). */
    public record Losses(double total, double l1, double aux, double lpips) {}

    private final VqVae model;
    private final Adam adam;
    private final LrSchedule schedule;
    private final double l1Weight;
    private final ImageNormalization normalization;
    private final WorkBuffers work;
    private final Tensor l1;
    private final Lpips lpips;
    private final double lpipsWeight;
    private final InputRange lpipsInput;
    private final boolean useGraph;
    private Graph graph;
    private Tensor recordedImages;
    private long eagerSteps;
    private String graphNote;

    public TrainingStep(VqVae model, Adam adam, LrSchedule schedule, double l1Weight, ImageNormalization normalization,
            Scope scope) {
        this(model, adam, schedule, l1Weight, normalization, scope, true);
    }

    /** cudaGraph false keeps a CUDA step op by op (to compare, or to debug one op). */
    public TrainingStep(VqVae model, Adam adam, LrSchedule schedule, double l1Weight, ImageNormalization normalization,
            Scope scope, boolean cudaGraph) {
        this(model, adam, schedule, l1Weight, null, 0, normalization, scope, cudaGraph);
    }

    /**
     * With the loss's LPIPS term (spec §5): lpipsWeight * mean LPIPS(denorm(x̂), denorm(x)), the [0, 1] images fed
     * unscaled as the reference does (lpips on this step's device; null for none).
     */
    public TrainingStep(VqVae model, Adam adam, LrSchedule schedule, double l1Weight, Lpips lpips, double lpipsWeight,
            ImageNormalization normalization, Scope scope, boolean cudaGraph) {
        if (lpips != null && lpips.device() != scope.device()) {
            throw new IllegalArgumentException("LPIPS runs on " + lpips.device() + ", the training step on " + scope.device());
        }
        this.lpips = lpips;
        this.lpipsWeight = lpipsWeight;
        this.lpipsInput = InputRange.UNIT_UNSCALED.ofNormalized(normalization.mean(), normalization.std());
        this.model = model;
        this.adam = adam;
        this.schedule = schedule;
        this.l1Weight = l1Weight;
        this.normalization = normalization;
        this.work = new WorkBuffers(scope);
        this.l1 = scope.allocate(DType.F32, 1);
        this.useGraph = cudaGraph && scope.device().isCuda();
        this.graphNote = useGraph ? "CUDA graph: recorded at the second step"
                : scope.device().isCuda() ? "op by op (CUDA graph off)" : "op by op (CPU)";
    }

    public VqVae model() {
        return model;
    }

    public Adam optimizer() {
        return adam;
    }

    /**
     * Runs update number adam.step() + 1 on images (B,3,H,W) in [0, 1], which are normalized in place. Returns the
     * learning rate used. On CUDA, pass the same images tensor every step (the recorded step reads it).
     */
    public double run(Tensor images) {
        if (graph != null && images != recordedImages) {
            throw new IllegalArgumentException("the recorded step reads another images tensor: copy each batch into the "
                    + "same tensor");
        }
        double lr = schedule.at(adam.step() + 1L);
        adam.prepare(lr);
        if (graph != null) {
            graph.launch();
            return lr;
        }
        if (useGraph && eagerSteps > 0 && graphNote.startsWith("CUDA graph")) {
            Graph recorded = null;
            try {
                recorded = images.device().record(() -> body(images));
                recorded.launch();
                graph = recorded;
                recordedImages = images;
                graphNote = "CUDA graph: one launch per step from step " + adam.step();
                return lr;
            } catch (RuntimeException e) {
                if (recorded != null) {
                    recorded.close();
                }
                graphNote = "op by op: recording a CUDA graph failed (" + e.getMessage() + ")";
            }
        }
        body(images);
        eagerSteps++;
        return lr;
    }

    /** Frees the recorded step, if any (before its tensors go: it holds their addresses). Idempotent. */
    @Override
    public void close() {
        if (graph != null) {
            graph.close();
            graph = null;
        }
    }

    /** How steps run: op by op, or as a replayed CUDA graph (and if recording failed, why). */
    public String graphNote() {
        return graphNote;
    }

    private void body(Tensor images) {
        normalization.normalize(images, images);
        Tensor xhat = model.forward(images);
        Tensor dxhat = work.floats("step.dxhat", xhat.shape());
        L1Loss.compute(xhat, images, l1Weight, l1, dxhat);
        if (lpips != null) {
            lpips.lossAndGradient(xhat, images, lpipsInput, lpipsWeight, work.floats("step.lpips", xhat.dim(0)), dxhat);
        }
        model.backward(dxhat);
        adam.apply();
    }

    /** The last step's losses; waits for the device (and reports bad data it found). */
    public Losses losses() {
        double l = l1.toFloatArray()[0];
        Tensor auxLoss = model.quantizer().auxLoss();
        double aux = auxLoss == null ? 0 : auxLoss.toFloatArray()[0];
        double p = 0;
        if (lpips != null) {
            Tensor xhat = model.reconstruction();
            float[] d = work.floats("step.lpips", xhat.dim(0)).toFloatArray();
            for (float v : d) {
                p += lpipsWeight * v / d.length;
            }
        }
        return new Losses(l + p + aux, l, aux, p);
    }
}
