package dev.rfsq4j.cli;

import dev.rfsq4j.Backend;
import dev.rfsq4j.Device;
import dev.rfsq4j.data.Augment;
import dev.rfsq4j.data.DataOptions;
import dev.rfsq4j.data.ImageFolder;
import dev.rfsq4j.data.ImageSource;
import dev.rfsq4j.nn.Adam;
import dev.rfsq4j.nn.LrSchedule;
import dev.rfsq4j.nn.QuantizerSpec;
import dev.rfsq4j.train.LpipsLoss;
import dev.rfsq4j.train.Presets;
import dev.rfsq4j.train.TrainConfig;
import dev.rfsq4j.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** {@code rfsq4j train}: the reference VQ-VAE with a preset's quantizer on an image folder or shards (spec §3–§5). */
final class TrainCommand implements Command {
    /** How long Ctrl-C waits for the current step and its checkpoint. */
    private static final long STOP_WAIT_S = 300;

    private static final Set<String> OPTIONS = Set.of("preset", "data", "steps", "batch", "out", "device", "levels",
            "stages", "strategy", "stats-mode", "lr", "warmup-steps", "decay-steps", "weight-decay", "optimizer",
            "max-grad-norm", "seed", "image-size", "l1-weight", "lfq-commitment-weight", "lfq-entropy-weight",
            "lfq-diversity-gamma", "vq-commitment-weight", "vq-decay", "vq-dead-threshold", "log-every", "checkpoint-every",
            "augment", "lpips-backbone", "lpips-weight");

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train the reference VQ-VAE with a quantizer preset on a folder of PNG/JPEG images or shards";
    }

    @Override
    public String usage() {
        return """
                usage: rfsq4j train --preset NAME --data DIR|SHARDS --out RUN_DIR [--steps N] [--batch B]
                                    [--device auto|cpu|cuda] [--resume] [data options] [overrides]

                Trains the reference VQ-VAE (spec §4) with the reference recipe (spec §5) by default: Adam (0.9, 0.999),
                eps 1e-8, lr 8e-4 with L2-coupled weight decay 5e-5, linear warmup over 5000 updates then linear decay
                over 500000, batch 128, seed 1234, images resized (shorter side, antialiased bilinear) and center-cropped
                to 128 px, normalized with ImageNet's mean and std. Loss: L1 in normalized units + the quantizer's
                auxiliary loss, + LPIPS-VGG when --lpips-backbone names VGG16's weights (the reference's loss).
                  --preset        %s
                  --data          folder of .png/.jpg/.jpeg images (searched recursively), or shards that
                                  rfsq4j prepare wrote from one (a folder holding rfsq4j-shards.txt)
                  --out           run folder: metrics.jsonl and checkpoints/step-N/{model,optimizer}.safetensors
                  --steps         updates in all, counting those of a resumed run (default 1000)
                  --resume        continue from the newest checkpoint in --out, bit for bit on the same device
                                  (Ctrl-C stops a run after its current step, with a checkpoint to resume from)
                  --lpips-backbone FILE  torchvision's VGG16 weights (vgg16-397923af.pth, as torch.hub caches it in
                                  ~/.cache/torch/hub/checkpoints/, or a safetensors copy): adds --lpips-weight (1) x
                                  LPIPS-VGG v0.1 of the [0,1] images, fed unscaled as the reference does (spec §5)
                data options (a skipped image's place in its batch goes to the next usable image):
                %s  --augment A         none (default), crop, flip or crop,flip: seeded, resumable; crop: a random
                                      S x S window of the image reflect-padded by S/16; flip: horizontal, p = 1/2
                overrides (defaults from the preset and the recipe):
                  --levels L1,..  --stages K  --strategy none|scale|layernorm  --stats-mode parity|running  (RFSQ/FSQ)
                  --lfq-commitment-weight W (0)  --lfq-entropy-weight W (0)  --lfq-diversity-gamma G (2.5)  (LFQ)
                  --vq-commitment-weight W (1)  --vq-decay D (0.99)  --vq-dead-threshold T (0: off)  (VQ-EMA)
                  --lr 8e-4  --warmup-steps 5000  --decay-steps 500000  --weight-decay 5e-5  --optimizer adam|adamw
                  --max-grad-norm 0 (off)  --seed 1234  --image-size 128  --l1-weight 1  --log-every 10
                  --checkpoint-every 1000
                """.formatted(String.join(", ", Presets.names()), DataFlags.USAGE);
    }

    @Override
    public void run(List<String> args, PrintStream out) throws Exception {
        Options o = Options.parse(name(), args, Options.union(OPTIONS, DataFlags.OPTIONS),
                Options.union(Set.of("resume"), DataFlags.FLAGS));
        String preset = o.required("preset");
        QuantizerSpec quantizer = o.convert("preset", preset, name -> PresetOverrides.apply(Presets.quantizer(name), o));
        int maxInt = Integer.MAX_VALUE;
        TrainConfig config = settings(o, () -> new TrainConfig(preset, quantizer,
                o.integer("batch", "128", 1, maxInt),
                o.whole("steps", "1000", 1, maxInt), // Adam counts its updates in an int
                o.integer("image-size", "128", 4, maxInt),
                o.whole("seed", "1234", Long.MIN_VALUE, Long.MAX_VALUE),
                new LrSchedule(o.number("lr", "8e-4"), o.whole("warmup-steps", "5000", 0, Long.MAX_VALUE),
                        o.whole("decay-steps", "500000", 1, Long.MAX_VALUE)),
                o.convert("optimizer", o.optional("optimizer", "adam"), name -> new Adam.Config(0.9, 0.999, 1e-8,
                        o.number("weight-decay", "5e-5"), decoupled(name), o.number("max-grad-norm", "0"))),
                o.number("l1-weight", "1"),
                o.integer("log-every", "10", 1, maxInt),
                o.integer("checkpoint-every", "1000", 1, maxInt),
                lpips(o)));
        Backend backend = o.backend();
        Path runDir = runFolder(o);
        if (config.lpips() != null && !Files.isRegularFile(config.lpips().backbone())) {
            throw new IOException(config.lpips().backbone() + ": no such file (--lpips-backbone names VGG16's weights,"
                    + " e.g. ~/.cache/torch/hub/checkpoints/vgg16-397923af.pth)");
        }
        Augment augment = o.convert("augment", o.optional("augment", "none"), spec -> Augment.parse(spec, config.seed()));
        DataOptions dataOptions = DataFlags.options(o);
        try (ImageSource data = ImageSource.open(o.path("data"), config.imageSize(), dataOptions);
                Device device = Device.open(backend)) {
            if (data instanceof ImageFolder folder && folder.decoderNotice() != null) {
                out.println("rfsq4j train: " + folder.decoderNotice());
            }
            Trainer trainer = new Trainer(config, device, data, augment, runDir, out);
            // Ctrl-C (or a SIGTERM) ends the run after its current step, with a checkpoint to resume from.
            CountDownLatch finished = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                trainer.requestStop();
                try {
                    finished.await(STOP_WAIT_S, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "rfsq4j-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                trainer.run(o.has("resume"));
            } finally {
                finished.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running: it only waited for this run
                }
            }
        }
    }

    /** --out: a folder (created if missing), not an existing file, and not empty (which would be the current folder). */
    private static Path runFolder(Options o) {
        Path dir = o.path("out");
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw o.usage("--out " + dir + " is a file; the run needs a folder (it writes metrics.jsonl and checkpoints/"
                    + " in it): choose another path");
        }
        return dir;
    }

    /** Builds the settings; one that TrainConfig refuses (e.g. an image size not a multiple of 4) is a usage error. */
    private static TrainConfig settings(Options o, Supplier<TrainConfig> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw o.usage(e.getMessage());
        }
    }

    /** --lpips-backbone FILE [--lpips-weight W], or null. */
    private static LpipsLoss lpips(Options o) {
        double weight = o.number("lpips-weight", "1");
        if (!o.has("lpips-backbone")) {
            if (o.has("lpips-weight")) {
                throw o.usage("--lpips-weight needs --lpips-backbone FILE (LPIPS cannot run without VGG16's weights)");
            }
            return null;
        }
        return new LpipsLoss(o.path("lpips-backbone"), weight);
    }

    private static boolean decoupled(String optimizer) {
        return switch (optimizer) {
            case "adam" -> false;
            case "adamw" -> true;
            default -> throw new IllegalArgumentException("expected adam or adamw, got '" + optimizer + "'");
        };
    }
}
