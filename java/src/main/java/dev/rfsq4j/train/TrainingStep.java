package dev.rfsq4j.train;

import dev.rfsq4j.DType;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.nn.Adam;
import dev.rfsq4j.nn.ImageNormalization;
import dev.rfsq4j.nn.L1Loss;
import dev.rfsq4j.nn.LrSchedule;
import dev.rfsq4j.nn.VqVae;
import dev.rfsq4j.nn.WorkBuffers;

/**
 * One training step, all on the device: normalize, forward, L1 loss (+ the quantizer's auxiliary loss inside its
 * backward), backward, Adam update. Nothing here waits for the device; {@link #losses()} does.
 */
public final class TrainingStep {
    /** Host copy of a step's losses (the L1 term is weighted). */
    public record Losses(double total, double l1, double aux) {}

    private final VqVae model;
    private final Adam adam;
    private final LrSchedule schedule;
    private final double l1Weight;
    private final ImageNormalization normalization;
    private final WorkBuffers work;
    private final Tensor l1;

    public TrainingStep(VqVae model, Adam adam, LrSchedule schedule, double l1Weight, ImageNormalization normalization,
            Scope scope) {
        this.model = model;
        this.adam = adam;
        this.schedule = schedule;
        this.l1Weight = l1Weight;
        this.normalization = normalization;
        this.work = new WorkBuffers(scope);
        this.l1 = scope.allocate(DType.F32, 1);
    }

    public VqVae model() {
        return model;
    }

    public Adam optimizer() {
        return adam;
    }

    /**
     * Runs update number adam.step() + 1 on images (B,3,H,W) in [0, 1], which are normalized in place. Returns the
     * learning rate used.
     */
    public double run(Tensor images) {
        normalization.normalize(images, images);
        Tensor xhat = model.forward(images);
        Tensor dxhat = work.floats("step.dxhat", xhat.shape());
        L1Loss.compute(xhat, images, l1Weight, l1, dxhat);
        model.backward(dxhat);
        double lr = schedule.at(adam.step() + 1L);
        adam.update(lr);
        return lr;
    }

    /** The last step's losses; waits for the device (and reports bad data it found). */
    public Losses losses() {
        double l = l1.toFloatArray()[0];
        Tensor auxLoss = model.quantizer().auxLoss();
        double aux = auxLoss == null ? 0 : auxLoss.toFloatArray()[0];
        return new Losses(l + aux, l, aux);
    }
}
