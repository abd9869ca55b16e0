package dev.rfsq4j.tokens;

import dev.rfsq4j.Backend;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.data.ImageFolder;
import dev.rfsq4j.io.SafeTensors;
import dev.rfsq4j.nn.QuantizerSpec;
import dev.rfsq4j.nn.QuantizerSpec.RfsqSpec;
import dev.rfsq4j.quant.StatsMode;
import dev.rfsq4j.quant.Strategy;
import dev.rfsq4j.train.Checkpoint;
import dev.rfsq4j.train.CheckpointConfig;
import dev.rfsq4j.train.Hashes;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A trained image tokenizer (inference only): the encoder, quantizer and decoder of a checkpoint that
 * {@code rfsq4j train} wrote, with their trained weights, quantizer parameters and statistics. Images become
 * {@link Tokens}, tokens become {@link Images}; {@link #decode(Tokens, int)} decodes from the first k of K stages.
 *
 * <p>Thread-safe, and meant to be shared: it owns a fixed pool of workers, each a thread with its own native
 * context and its own copy of the model, so that up to {@link #workers()} calls run at once and further calls wait
 * in one queue (no lock is held while native code runs). A call's images are decoded and resized on the calling
 * thread, then the call runs as one batch on one worker. Results do not depend on which worker ran a call. Close it
 * to free the contexts: calls already queued finish first, calls made after close fail with an
 * IllegalStateException.
 */
public final class Tokenizer implements AutoCloseable {
    /**
     * How a tokenizer runs.
     *
     * @param backend          CPU, CUDA, or AUTO (CUDA when a GPU is usable)
     * @param workers          native contexts, each with its own thread and copy of the model (>= 1)
     * @param threadsPerWorker CPU only: threads each worker's ops use (>= 1), or 0 for the cores divided among the
     *                         workers
     */
    public record Options(Backend backend, int workers, int threadsPerWorker) {
        public Options {
            Objects.requireNonNull(backend, "backend");
            if (workers < 1 || threadsPerWorker < 0) {
                throw new IllegalArgumentException("workers must be >= 1 and threads per worker >= 0 (0: automatic), got "
                        + workers + " and " + threadsPerWorker);
            }
        }

        /** The defaults for a backend: see {@link #defaultWorkers(Backend)}; threads divided automatically. */
        public static Options of(Backend backend) {
            return new Options(backend, defaultWorkers(backend), 0);
        }

        /** On the CPU one worker per core (each single-threaded); on CUDA two (one copying while one computes). */
        public static int defaultWorkers(Backend backend) {
            return backend.resolve() == Backend.CUDA ? 2 : Runtime.getRuntime().availableProcessors();
        }

        public Options withWorkers(int n) {
            return new Options(backend, n, threadsPerWorker);
        }

        public Options withThreadsPerWorker(int n) {
            return new Options(backend, workers, n);
        }
    }

    private final Path checkpoint;
    private final CheckpointConfig config;
    private final Backend backend;
    private final long configHash;
    private final long modelHash;
    private final int stages;
    private final int codebookSize;
    private final boolean needsStats;
    private final BlockingQueue<Call<?>> queue = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Object lifecycle = new Object();
    private int cpuThreads;
    private boolean closed;

    private Tokenizer(Path checkpoint, CheckpointConfig config, Backend backend, long modelHash) {
        this.checkpoint = checkpoint;
        this.config = config;
        this.backend = backend;
        this.configHash = config.quantizerHash();
        this.modelHash = modelHash;
        QuantizerSpec q = config.quantizer();
        this.stages = q instanceof RfsqSpec r ? r.stages() : 1;
        this.codebookSize = Math.toIntExact(q.codebookSize());
        this.needsStats = q instanceof RfsqSpec r && r.strategy() == Strategy.LAYERNORM && r.statsMode() == StatsMode.PARITY;
    }

    /** {@link #load(Path, Options)} with the backend's default options. */
    public static Tokenizer load(Path checkpoint, Backend backend) throws IOException {
        return load(checkpoint, Options.of(backend));
    }

    /**
     * Loads a checkpoint folder ({@code RUN/checkpoints/step-N}, or a run folder: its newest checkpoint) and starts
     * the workers; each loads the model into its own context before this returns.
     *
     * @throws IOException when the folder is not a checkpoint or its files are malformed
     */
    public static Tokenizer load(Path checkpoint, Options options) throws IOException {
        Path dir = Checkpoint.resolve(checkpoint);
        CheckpointConfig config = CheckpointConfig.read(dir);
        Path modelFile = dir.resolve("model.safetensors");
        SafeTensors weights = SafeTensors.read(modelFile);
        Tokenizer t = new Tokenizer(dir, config, options.backend().resolve(), Hashes.sha256Prefix(Files.readAllBytes(modelFile)));
        int threadsEach = options.threadsPerWorker() > 0 ? options.threadsPerWorker()
                : Math.max(1, Runtime.getRuntime().availableProcessors() / options.workers());
        t.cpuThreads = threadsEach;
        List<CompletableFuture<Void>> ready = new ArrayList<>();
        for (int i = 0; i < options.workers(); i++) {
            CompletableFuture<Void> up = new CompletableFuture<>();
            ready.add(up);
            Thread thread = new Thread(() -> t.serve(weights, threadsEach, up), "rfsq4j-tokenizer-" + i);
            thread.setDaemon(true);
            t.threads.add(thread);
            thread.start();
        }
        try {
            for (CompletableFuture<Void> up : ready) {
                up.join();
            }
        } catch (RuntimeException e) {
            t.close();
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("loading " + dir + " failed: " + cause, cause);
        }
        return t;
    }

    /** A worker thread: loads its model, then runs calls until close. */
    private void serve(SafeTensors weights, int cpuThreads, CompletableFuture<Void> ready) {
        Worker worker;
        try {
            worker = new Worker(backend, config, weights, cpuThreads);
        } catch (RuntimeException | Error e) {
            ready.completeExceptionally(e);
            return;
        }
        ready.complete(null);
        try (worker) {
            for (Call<?> call = queue.take(); call != STOP; call = queue.take()) {
                call.runOn(worker);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One call: the work, its state, and the future its caller waits on. */
    private static final class Call<T> {
        static final int QUEUED = 0, RUNNING = 1, CANCELLED = 2;
        final Function<Worker, T> work;
        final AtomicInteger state = new AtomicInteger(QUEUED);
        final CompletableFuture<T> result = new CompletableFuture<>();

        Call(Function<Worker, T> work) {
            this.work = work;
        }

        void runOn(Worker worker) {
            if (!state.compareAndSet(QUEUED, RUNNING)) {
                return; // its caller gave up waiting before it started
            }
            try {
                result.complete(work.apply(worker));
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        }

        /**
         * The result. An interrupt cancels a call that has not started; a started one is waited for (it may be reading
         * the caller's memory), and then the interrupt is reported.
         */
        T await() {
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        return result.get();
                    } catch (InterruptedException e) {
                        interrupted = true;
                        if (state.compareAndSet(QUEUED, CANCELLED)) {
                            throw new CancellationException("interrupted while waiting for a tokenizer worker");
                        }
                    } catch (ExecutionException e) {
                        Throwable cause = e.getCause();
                        if (cause instanceof RuntimeException r) {
                            throw r;
                        }
                        if (cause instanceof Error err) {
                            throw err;
                        }
                        throw new IllegalStateException(cause);
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static final Call<Void> STOP = new Call<>(w -> null);

    private <T> T call(Function<Worker, T> work) {
        Call<T> call = new Call<>(work);
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("tokenizer of " + checkpoint + " is closed");
            }
            queue.add(call);
        }
        return call.await();
    }

    // ---- encode ---------------------------------------------------------------------------------------------

    /** Tokens of images, each resized (shorter side to {@link #imageSize()}) and center-cropped as in training. */
    public Tokens encode(BufferedImage... images) {
        return encode(List.of(images));
    }

    /** Tokens of images, each resized (shorter side to {@link #imageSize()}) and center-cropped as in training. */
    public Tokens encode(List<BufferedImage> images) {
        int s = imageSize(), per = 3 * s * s, b = checkBatch(images.size());
        float[] planes = new float[Math.multiplyExact(b, per)];
        for (int i = 0; i < b; i++) {
            ImageFolder.toPlanes(Objects.requireNonNull(images.get(i), "image " + i), s, planes, i * per);
        }
        return encodePlanes(planes, b, s, s);
    }

    /**
     * Tokens of encoded PNG or JPEG images (the bytes of the files), decoded, resized and cropped as training read
     * its files.
     *
     * @throws IOException naming the image (by its position) that is not a readable PNG or JPEG
     */
    public Tokens encode(byte[]... encodedImages) throws IOException {
        int s = imageSize(), per = 3 * s * s, b = checkBatch(encodedImages.length);
        float[] planes = new float[Math.multiplyExact(b, per)];
        for (int i = 0; i < b; i++) {
            ImageFolder.decodeImage(Objects.requireNonNull(encodedImages[i], "image " + i), "image " + i, s, planes, i * per);
        }
        return encodePlanes(planes, b, s, s);
    }

    /**
     * Tokens of float32 images (B,3,H,W), RGB in [0, 1], H and W multiples of 4, as they are (not resized). The tensor
     * may be on any device; it is copied through the host to a worker.
     */
    public Tokens encode(Tensor images) {
        if (images.rank() != 4 || images.dim(1) != 3) {
            throw new IllegalArgumentException("images must be float32 (B,3,H,W), got " + images.describe());
        }
        return encode(images.toFloatArray(), Math.toIntExact(images.dim(0)), Math.toIntExact(images.dim(2)),
                Math.toIntExact(images.dim(3)));
    }

    /** Tokens of float images (B,3,H,W) in C order, RGB in [0, 1], H and W multiples of 4, as they are (not resized). */
    public Tokens encode(float[] pixels, int batch, int height, int width) {
        checkGrid(batch, height, width);
        if (pixels.length != 3L * batch * height * width) {
            throw new IllegalArgumentException("pixels hold " + pixels.length + " floats, (" + batch + ",3," + height + ","
                    + width + ") needs " + 3L * batch * height * width);
        }
        for (int i = 0; i < pixels.length; i++) {
            if (!Float.isFinite(pixels[i])) {
                throw new IllegalArgumentException("pixel value " + pixels[i] + " at element " + i + " is not finite");
            }
        }
        return encodePlanes(pixels, batch, height, width);
    }

    /**
     * Tokens of 8-bit RGB images in interleaved HWC order (B,H,W,3), the layout of decoded frames and of
     * TYPE_3BYTE_BGR rasters read as RGB: {@code rgb} holds B*H*W*3 bytes (a native or heap segment, read in place
     * without a copy of it), H and W multiples of 4, not resized. Samples are scaled by 1/255.
     */
    public Tokens encodePixels(MemorySegment rgb, int batch, int height, int width) {
        checkGrid(batch, height, width);
        long plane = (long) height * width;
        if (rgb.byteSize() != 3 * plane * batch) {
            throw new IllegalArgumentException("rgb holds " + rgb.byteSize() + " bytes, (" + batch + "," + height + "," + width
                    + ",3) uint8 needs " + 3 * plane * batch);
        }
        // One pass from the caller's bytes into CHW floats in native memory, which a CPU worker's upload reads directly.
        try (Arena arena = Arena.ofShared()) {
            MemorySegment planes = arena.allocate(4 * 3 * plane * batch, 64);
            byte[] row = new byte[3 * width];
            float[] out = new float[width];
            for (int b = 0; b < batch; b++) {
                for (int y = 0; y < height; y++) {
                    MemorySegment.copy(rgb, ValueLayout.JAVA_BYTE, ((long) b * height + y) * 3L * width, row, 0, row.length);
                    for (int c = 0; c < 3; c++) {
                        for (int x = 0; x < width; x++) {
                            out[x] = (row[3 * x + c] & 0xFF) / 255f;
                        }
                        long at = (((long) b * 3 + c) * plane + (long) y * width) * 4;
                        MemorySegment.copy(out, 0, planes, ValueLayout.JAVA_FLOAT, at, width);
                    }
                }
            }
            Worker.Encoded e = call(w -> w.encode(planes, batch, height, width));
            return tokens(e, batch, height / 4, width / 4);
        }
    }

    private Tokens encodePlanes(float[] planes, int b, int h, int w) {
        Worker.Encoded e = call(worker -> worker.encode(planes, b, h, w));
        return tokens(e, b, h / 4, w / 4);
    }

    private Tokens tokens(Worker.Encoded e, int b, int h, int w) {
        int channels = e.stats() == null ? 0 : e.stats().length / (2 * stages * b);
        return new Tokens(b, h, w, stages, codebookSize, configHash, modelHash, e.indices(), channels, e.stats());
    }

    private static int checkBatch(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("no images to encode");
        }
        return n;
    }

    private static void checkGrid(int batch, int height, int width) {
        if (batch < 1 || height < 4 || width < 4 || height % 4 != 0 || width % 4 != 0) {
            throw new IllegalArgumentException("images must be (B,3,H,W) with B >= 1 and H, W positive multiples of 4, got ("
                    + batch + ",3," + height + "," + width + ")");
        }
    }

    // ---- decode ---------------------------------------------------------------------------------------------

    /** Images of tokens, from all their stages. */
    public Images decode(Tokens tokens) {
        return decode(tokens, stages);
    }

    /**
     * Images of tokens from their first k stages only (1 <= k <= K): progressive quality, since each RFSQ stage
     * refines the ones before it. FSQ, LFQ and VQ tokens have one stage.
     */
    public Images decode(Tokens tokens, int k) {
        check(tokens);
        if (k < 1 || k > stages) {
            throw new IllegalArgumentException("stages to decode must be 1.." + stages + " for " + config.quantizer() + ", got " + k);
        }
        float[] pixels = call(w -> w.decode(tokens, k));
        return new Images(tokens.batch(), tokens.height() * 4, tokens.width() * 4, pixels);
    }

    /**
     * Throws an IllegalArgumentException unless tokens were made by this tokenizer's model (same quantizer
     * configuration and same weights), with what decoding them needs.
     */
    public void check(Tokens tokens) {
        if (tokens.configHash() != configHash || tokens.stages() != stages || tokens.codebookSize() != codebookSize) {
            throw new IllegalArgumentException(String.format("tokens of quantizer config %016x (%d stage(s), %d-entry codebook)"
                    + " do not fit this checkpoint's (%s: config %016x, %s): decode them with the checkpoint that encoded"
                    + " them", tokens.configHash(), tokens.stages(), tokens.codebookSize(), checkpoint, configHash,
                    config.quantizer()));
        }
        if (tokens.modelHash() != modelHash) {
            throw new IllegalArgumentException(String.format("tokens of model %016x cannot be decoded by %s (model %016x, the"
                    + " same quantizer but other weights): decode them with the checkpoint that encoded them",
                    tokens.modelHash(), checkpoint, modelHash));
        }
        if (tokens.hasStats() != needsStats) {
            throw new IllegalArgumentException("tokens " + (needsStats ? "lack the per-image statistics that" : "carry statistics"
                    + " that") + " " + config.quantizer() + " " + (needsStats ? "needs" : "does not use"));
        }
    }

    /** Reads a token file and checks that this tokenizer can decode it ({@link #check}). */
    public Tokens read(Path file) throws IOException {
        Tokens tokens = TokenFile.read(file);
        try {
            check(tokens);
        } catch (IllegalArgumentException e) {
            throw new TokenFormatException(file + ": " + e.getMessage());
        }
        return tokens;
    }

    // ---- facts ----------------------------------------------------------------------------------------------

    /** The checkpoint folder loaded. */
    public Path checkpoint() {
        return checkpoint;
    }

    public CheckpointConfig config() {
        return config;
    }

    /** CPU or CUDA. */
    public Backend backend() {
        return backend;
    }

    public int workers() {
        return threads.size();
    }

    /** Threads each worker's CPU ops use (see {@link dev.rfsq4j.Native#setCpuThreads}). */
    public int cpuThreadsPerWorker() {
        return cpuThreads;
    }

    /** The side images are resized and cropped to by the image encode calls (the training size). */
    public int imageSize() {
        return config.imageSize();
    }

    /** K: indices per latent position (1 unless RFSQ). */
    public int stages() {
        return stages;
    }

    public int codebookSize() {
        return codebookSize;
    }

    /** See {@link CheckpointConfig#quantizerHash()}. */
    public long configHash() {
        return configHash;
    }

    /** The first 8 bytes (little-endian) of the SHA-256 of the checkpoint's model.safetensors. */
    public long modelHash() {
        return modelHash;
    }

    /**
     * Stops taking calls, lets the calls already queued finish, then frees every worker's context. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (!closed) {
                closed = true;
                for (int i = 0; i < threads.size(); i++) {
                    queue.add(STOP);
                }
            }
        }
        boolean interrupted = false;
        for (Thread t : threads) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "Tokenizer[" + checkpoint + ", " + config.quantizer() + ", " + backend + " x " + threads.size() + "]";
    }
}
