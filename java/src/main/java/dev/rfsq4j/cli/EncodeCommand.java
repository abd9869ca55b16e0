package dev.rfsq4j.cli;

import dev.rfsq4j.Backend;
import dev.rfsq4j.data.ImageFolder;
import dev.rfsq4j.tokens.TokenFile;
import dev.rfsq4j.tokens.Tokenizer;
import dev.rfsq4j.tokens.Tokens;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** {@code rfsq4j encode}: image files to token files with a trained checkpoint. */
final class EncodeCommand implements Command {
    private static final Set<String> OPTIONS = Set.of("checkpoint", "input", "out", "batch", "device", "workers");

    @Override
    public String name() {
        return "encode";
    }

    @Override
    public String summary() {
        return "turn PNG/JPEG images into token files (.rfsqt) with a trained checkpoint";
    }

    @Override
    public String usage() {
        return """
                usage: rfsq4j encode --checkpoint DIR --input IMAGES --out TOKENS [--batch 16] [--device auto|cpu|cuda]
                                     [--workers N]

                Encodes images with the encoder and quantizer of a checkpoint that rfsq4j train wrote; each image is
                resized (shorter side to the training size) and center-cropped as training read its images.
                  --checkpoint  a checkpoint folder (RUN/checkpoints/step-N) or a run folder (its newest checkpoint)
                  --input       a .png/.jpg/.jpeg file, or a folder of them (searched recursively)
                  --out         a folder: IMAGE.rfsqt for each image (its path under --input, extension replaced);
                                the format is in the README ("Token files")
                  --batch       images per call (default 16)
                  --workers     native contexts working at once (default: one per core on the CPU, 2 on CUDA)
                Prints one line: images, token grid, bits per image, file bytes, images/s.
                """;
    }

    @Override
    public void run(List<String> args, PrintStream out) throws Exception {
        Options o = Options.parse(name(), args, OPTIONS);
        Path checkpoint = Path.of(o.required("checkpoint"));
        Path input = Path.of(o.required("input"));
        Path outDir = Path.of(o.required("out"));
        int batch = o.convert("batch", o.optional("batch", "16"), Commands::positive);
        Backend backend = o.backend();
        Tokenizer.Options options = Commands.tokenizerOptions(o, backend);
        try (Tokenizer tok = Tokenizer.load(checkpoint, options)) {
            int s = tok.imageSize();
            List<Path> files;
            Path root;
            if (Files.isRegularFile(input)) {
                files = List.of(input);
                root = input.toAbsolutePath().getParent();
            } else {
                files = ImageFolder.open(input, s).files();
                root = input;
            }
            Files.createDirectories(outDir);
            long start = System.nanoTime();
            ExecutorService callers = Executors.newFixedThreadPool(tok.workers());
            long bytes = 0;
            Tokens any = null;
            try {
                List<Future<long[]>> calls = new ArrayList<>();
                for (int from = 0; from < files.size(); from += batch) {
                    List<Path> part = files.subList(from, Math.min(files.size(), from + batch));
                    calls.add(callers.submit(() -> encode(tok, part, root, outDir)));
                }
                for (Future<long[]> f : calls) {
                    bytes += Commands.take(f)[0];
                }
                any = tok.read(tokenFile(root, files.get(0), outDir));
            } finally {
                callers.shutdownNow();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            out.println(String.format(Locale.ROOT, "%d image(s) of %dpx -> %s: %d x %d positions x %d stage(s) of %d bits"
                    + "%s, %.0f bytes per token file on average; %.1f images/s on %s x %d", files.size(), s, outDir,
                    any.height(), any.width(), any.stages(), any.bitsPerIndex(),
                    any.hasStats() ? " + per-image statistics" : "", (double) bytes / files.size(), files.size() / seconds,
                    tok.backend().name().toLowerCase(Locale.ROOT), tok.workers()));
        }
    }

    /** Encodes one batch of files and writes their token files; returns {bytes written}. */
    private static long[] encode(Tokenizer tok, List<Path> part, Path root, Path outDir) throws IOException {
        int s = tok.imageSize(), per = 3 * s * s;
        float[] planes = new float[part.size() * per];
        for (int i = 0; i < part.size(); i++) {
            ImageFolder.decodeImage(Files.readAllBytes(part.get(i)), part.get(i).toString(), s, planes, i * per);
        }
        Tokens tokens = tok.encode(planes, part.size(), s, s);
        long bytes = 0;
        for (int i = 0; i < part.size(); i++) {
            Path file = tokenFile(root, part.get(i), outDir);
            Files.createDirectories(file.toAbsolutePath().getParent());
            Tokens one = tokens.images(i, i + 1);
            TokenFile.write(file, one);
            bytes += Files.size(file);
        }
        return new long[] {bytes};
    }

    private static Path tokenFile(Path root, Path image, Path outDir) {
        String rel = root.toAbsolutePath().relativize(image.toAbsolutePath()).toString();
        int dot = rel.lastIndexOf('.');
        return outDir.resolve((dot > 0 ? rel.substring(0, dot) : rel) + TokenFile.EXTENSION);
    }
}
