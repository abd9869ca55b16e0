package dev.rfsq4j.train;

import dev.rfsq4j.DType;
import dev.rfsq4j.Device;
import dev.rfsq4j.RfsqException;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.bindings.rfsq_h;
import dev.rfsq4j.data.Augment;
import dev.rfsq4j.data.ImageSource;
import dev.rfsq4j.eval.Lpips;
import dev.rfsq4j.io.Messages;
import dev.rfsq4j.nn.Adam;
import dev.rfsq4j.nn.ImageNormalization;
import dev.rfsq4j.nn.LatentQuantizer;
import dev.rfsq4j.nn.LrSchedule;
import dev.rfsq4j.nn.RfsqQuantizer;
import dev.rfsq4j.nn.VqVae;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The training loop of {@code rfsq4j train}: batches loaded (from an image folder or shards) on a background thread
 * while the device runs the previous step, one host sync per logged step, checkpoints every N steps and at the end,
 * and an exact resume. Images the data skips are reported once each and counted in the metrics; the time the loop
 * waited for a batch is logged per step ({@code data_wait_ms}), so a data path too slow for the device shows.
 */
public final class Trainer {
    /** What a run did: updates [firstStep, lastStep), the last logged losses, and the last checkpoint. */
    public record Result(long firstStep, long lastStep, TrainingStep.Losses lastLosses, Path checkpoint) {}

    private final TrainConfig config;
    private final Device device;
    private final ImageSource data;
    private final Augment augment;
    private final Path runDir;
    private final PrintStream out;
    private volatile boolean stopRequested;

    public Trainer(TrainConfig config, Device device, ImageSource data, Path runDir, PrintStream out) {
        this(config, device, data, Augment.NONE, runDir, out);
    }

    /** With augmentations (seeded by augment's seed; part of what a resumed run must share). */
    public Trainer(TrainConfig config, Device device, ImageSource data, Augment augment, Path runDir, PrintStream out) {
        if (data.imageSize() != config.imageSize()) {
            throw new IllegalArgumentException("the data is read at " + data.imageSize() + "px, the run needs " + config.imageSize());
        }
        this.config = config;
        this.device = device;
        this.data = data;
        this.augment = augment;
        this.runDir = runDir;
        this.out = out;
    }

    /**
     * Asks a running (or not yet started) run to stop after its current step, with a checkpoint of that step and a
     * metrics line, so that {@code --resume} continues it exactly. Any thread may call it (Ctrl-C does).
     */
    public void requestStop() {
        stopRequested = true;
    }

    /** Trains to config.steps() updates; with resume, continues from the run folder's newest checkpoint. */
    public Result run(boolean resume) throws IOException, InterruptedException {
        FileChannel lockFile;
        try {
            Files.createDirectories(runDir);
            lockFile = FileChannel.open(runDir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw Messages.named(runDir, "create the run folder there", e);
        }
        // One run per folder: a second one would interleave checkpoints and metrics.
        try (lockFile; FileLock lock = lockFile.tryLock()) {
            if (lock == null) {
                throw new IllegalStateException(runDir + " is in use by another rfsq4j train run");
            }
            return runLocked(resume);
        }
    }

    private Result runLocked(boolean resume) throws IOException, InterruptedException {
        Optional<Path> latest = Checkpoint.latest(runDir);
        if (latest.isPresent() && !resume) {
            throw new IllegalArgumentException(runDir + " already holds checkpoints: pass --resume to continue that run,"
                    + " or choose another --out");
        }
        int b = config.batch(), s = config.imageSize();
        DataOrder order = new DataOrder(data.count(), b, config.seed());
        ExecutorService loader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "rfsq4j-batch-loader");
            t.setDaemon(true);
            return t;
        });
        try (Lpips lpips = config.lpips() == null ? null : Lpips.load(device, config.lpips().backbone());
                Scope scope = Scope.open(device)) {
            if (lpips == null) {
                out.println("loss: L1 only (the reference's loss adds LPIPS-VGG, spec §5: give --lpips-backbone"
                        + " vgg16-397923af.pth to train with it)");
            } else {
                out.printf("loss: L1 + %s x LPIPS-VGG v0.1 ([0,1] images fed unscaled, as the reference; backbone %s)%n",
                        config.lpips().weight(), lpips.backbone());
            }
            VqVae model = new VqVae(config.quantizer(), scope, config.seed());
            Adam adam = new Adam(model.parameters(), config.adam(), scope);
            // Closed before the scope: a recorded step holds the addresses of the scope's tensors.
            try (TrainingStep step = new TrainingStep(model, adam, config.schedule(), config.l1Weight(), lpips,
                    config.lpips() == null ? 0 : config.lpips().weight(),
                    new ImageNormalization(scope, ImageNormalization.IMAGENET_MEAN, ImageNormalization.IMAGENET_STD), scope,
                    true)) {
                return train(model, adam, step, scope, latest, order, loader);
            }
        } finally {
            loader.shutdownNow();
        }
    }

    private Result train(VqVae model, Adam adam, TrainingStep step, Scope scope, Optional<Path> latest, DataOrder order,
            ExecutorService loader) throws IOException, InterruptedException {
        int b = config.batch(), s = config.imageSize();
        long first = latest.isPresent() ? Checkpoint.load(latest.get(), model, adam, identity()) : 0;
        if (first > 0) {
            out.printf("resuming %s from %s (step %d)%n", runDir, latest.get().getFileName(), first);
        }
        if (first >= config.steps()) {
            out.printf("nothing to do: the run is at step %d of %d%n", first, config.steps());
            return new Result(first, first, null, latest.orElse(null));
        }
        out.printf("training %s (%s, %.0f bits/position) on %s: %d images of %dpx, batch %d, steps %d..%d, %,d parameters%n",
                config.preset(), config.quantizer(), config.quantizer().bitsPerPosition(), device, data.count(), s, b,
                first + 1, config.steps(), model.parameters().count());
        out.println("data: " + data.describe() + (augment.any() ? ", augmented: " + augment : ""));
        warnAboutWarmup();
        Tensor images = scope.allocate(DType.F32, b, 3, s, s);
        Progress progress = new Progress(out, first, config.steps());
        Path checkpoint = latest.orElse(null);
        TrainingStep.Losses losses = null;
        long last = first;
        try (MetricsLog log = new MetricsLog(runDir.resolve("metrics.jsonl"), first)) {
            int floats = Math.multiplyExact(Math.multiplyExact(b * 3, s), s);
            // One off-heap buffer for the whole run, which the data source fills directly: the next batch loads while
            // the device runs this one, and is uploaded (the copy returns when the buffer may be refilled) before
            // the next load starts.
            MemorySegment staging = Arena.ofAuto().allocate((long) floats * Float.BYTES, 64);
            Future<MemorySegment> next = loader.submit(() -> load(order, first, staging));
            long intervalStart = System.nanoTime();
            long intervalFirst = first;
            long waited = 0; // ns the loop spent waiting for batches this interval
            int reported = 0; // skipped images already reported
            for (long n = first; n < config.steps(); n++) {
                long t = System.nanoTime();
                MemorySegment batch = take(next);
                waited += System.nanoTime() - t;
                images.copyFrom(batch);
                List<String> skipped = data.skipped(); // before the next load starts: those of batches up to this one
                for (; reported < skipped.size(); reported++) {
                    out.println("skipped " + skipped.get(reported));
                }
                if (n + 1 < config.steps()) {
                    long following = n + 1;
                    next = loader.submit(() -> load(order, following, staging));
                }
                long done = n + 1;
                double lr = config.schedule().at(done);
                boolean end = done == config.steps() || stopRequested;
                boolean logged = done % config.logEvery() == 0 || end;
                boolean saved = done % config.checkpointEvery() == 0 || end;
                try {
                    step.run(images);
                    if (logged) {
                        losses = step.losses(); // the one host sync of the interval
                        if (!Double.isFinite(losses.total())) {
                            throw diverged(done, lr, checkpoint, "the loss became " + losses.total());
                        }
                    }
                    if (logged || saved) {
                        double squares = model.parameters().sumOfSquares();
                        if (!Double.isFinite(squares)) {
                            throw diverged(done, lr, checkpoint, "the parameters are no longer finite after the update"
                                    + " (their sum of squares is " + squares + ")");
                        }
                    }
                } catch (RfsqException e) {
                    if (e.status() != rfsq_h.RFSQ_E_NONFINITE()) {
                        throw e;
                    }
                    // The images are finite and the loaded state was checked: a NaN or Inf inside a step is divergence.
                    throw diverged(done, lr, checkpoint, "a value inside the step became NaN or infinite ("
                            + e.getMessage() + ")");
                }
                last = done;
                if (logged) {
                    long now = System.nanoTime();
                    double imagesPerS = (done - intervalFirst) * (double) b / ((now - intervalStart) / 1e9);
                    double waitMs = waited / 1e6 / (done - intervalFirst);
                    intervalStart = now;
                    intervalFirst = done;
                    waited = 0;
                    double[][] usage = usage(model);
                    List<Object> fields = new ArrayList<>(List.of("epoch", order.epochOf(n), "loss", losses.total(), "l1",
                            losses.l1(), "aux_loss", losses.aux()));
                    if (config.lpips() != null) {
                        fields.addAll(List.of("lpips", losses.lpips()));
                    }
                    fields.addAll(List.of("lr", lr, "images_per_s", imagesPerS, "data_wait_ms", waitMs, "skipped_images",
                            reported, "residual_norms", residualNorms(model.quantizer()), "usage", usage[0], "perplexity",
                            usage[1]));
                    log.log(done, fields.toArray());
                    progress.update(done, losses.total(), lr, imagesPerS);
                }
                if (saved) {
                    checkpoint = Checkpoint.save(runDir, done, model, adam, identity(),
                            CheckpointConfig.of(config, done, data.count()));
                }
                if (end) {
                    break;
                }
            }
        }
        if (last < config.steps()) {
            out.printf("stopped at step %d of %d; continue with --resume%n", last, config.steps());
        }
        out.println("steps ran " + step.graphNote());
        progress.finish(checkpoint);
        return new Result(first, last, losses, checkpoint);
    }

    /**
     * A run that ends inside its warm-up never reaches the peak learning rate (the reference's 5000 steps keep a
     * 20-step run near lr 0, where the loss barely moves): say so before it starts.
     */
    private void warnAboutWarmup() {
        LrSchedule schedule = config.schedule();
        if (schedule.warmupSteps() > 0 && config.steps() < schedule.warmupSteps()) {
            out.printf(Locale.ROOT, "note: --steps %d ends inside the %d-step warm-up: the learning rate only reaches"
                    + " %.3g (its peak is %.3g), too low to learn much; for a short run pass e.g. --warmup-steps %d%n", config.steps(),
                    schedule.warmupSteps(), schedule.at(config.steps()), schedule.peak(), Math.max(1, config.steps() / 10));
        }
    }

    /** The error of a run that went non-finite; no checkpoint is written for it, earlier ones stay as they are. */
    private IllegalStateException diverged(long step, double lr, Path lastCheckpoint, String what) {
        return new IllegalStateException(String.format(Locale.ROOT, "training diverged at step %d%s: %s. The learning"
                + " rate was %.3g: start again with a lower --lr (or a longer --warmup-steps, or --max-grad-norm to"
                + " clip); nothing was saved for this step%s", step, device.isCuda() ? " (or an earlier one since the"
                + " last logged step)" : "", what, lr, lastCheckpoint == null ? ""
                : ", " + lastCheckpoint.getFileName() + " is as it was"));
    }

    /**
     * What a resumed run must share with the run it continues: the configuration, the data's size (its order) and
     * the augmentations.
     */
    private String identity() {
        return config.identity() + " images=" + data.count() + (augment.any() ? " augment=" + augment : "");
    }

    private MemorySegment load(DataOrder order, long step, MemorySegment staging) throws IOException {
        data.load(order.batch(step), staging, augment, step);
        return staging;
    }

    private static MemorySegment take(Future<MemorySegment> batch) throws IOException, InterruptedException {
        try {
            return batch.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException("loading a batch failed: " + e.getCause(), e.getCause());
        }
    }

    /** Mean ||r_k|| per stage over the batch (RFSQ), else an empty list. */
    private static double[] residualNorms(LatentQuantizer q) {
        if (!(q instanceof RfsqQuantizer rfsq)) {
            return new double[0];
        }
        Tensor rnorm = rfsq.residualNorms();
        int b = (int) rnorm.dim(0), k = (int) rnorm.dim(1);
        float[] r = rnorm.toFloatArray();
        double[] mean = new double[k];
        for (int i = 0; i < r.length; i++) {
            mean[i % k] += r[i] / b;
        }
        return mean;
    }

    /** Per stage, from this batch's indices: the fraction of the codebook used, and the perplexity exp(entropy). */
    private static double[][] usage(VqVae model) {
        Tensor idx = model.quantizer().indices();
        int stages = idx.rank() == 4 ? (int) idx.dim(3) : 1;
        int size = Math.toIntExact(model.spec().codebookSize());
        int[] all = idx.toIntArray();
        double[] used = new double[stages], perplexity = new double[stages];
        for (int k = 0; k < stages; k++) {
            int[] counts = new int[size];
            int n = 0;
            for (int i = k; i < all.length; i += stages, n++) {
                counts[all[i]]++;
            }
            int distinct = 0;
            double entropy = 0;
            for (int c : counts) {
                if (c > 0) {
                    distinct++;
                    entropy -= c / (double) n * Math.log(c / (double) n);
                }
            }
            used[k] = distinct / (double) size;
            perplexity[k] = Math.exp(entropy);
        }
        return new double[][] {used, perplexity};
    }
}
