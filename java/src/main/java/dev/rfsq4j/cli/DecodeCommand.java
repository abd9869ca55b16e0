package dev.rfsq4j.cli;

import dev.rfsq4j.Backend;
import dev.rfsq4j.tokens.Images;
import dev.rfsq4j.tokens.TokenFile;
import dev.rfsq4j.tokens.Tokenizer;
import dev.rfsq4j.tokens.Tokens;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/** {@code rfsq4j decode}: token files to PNG images with the checkpoint that encoded them. */
final class DecodeCommand implements Command {
    private static final Set<String> OPTIONS = Set.of("checkpoint", "input", "out", "stages", "device", "workers");

    @Override
    public String name() {
        return "decode";
    }

    @Override
    public String summary() {
        return "turn token files (.rfsqt) back into PNG images, from all or the first k stages";
    }

    @Override
    public String usage() {
        return """
                usage: rfsq4j decode --checkpoint DIR --input TOKENS --out DIR [--stages k] [--device auto|cpu|cuda]
                                     [--workers N]

                Decodes token files with the quantizer and decoder of the checkpoint that encoded them (a token file
                names its model: another checkpoint's is refused).
                  --checkpoint  a checkpoint folder (RUN/checkpoints/step-N) or a run folder (its newest checkpoint)
                  --input       a .rfsqt file, or a folder of them (searched recursively)
                  --out         a folder: NAME.png per token file (NAME-i.png for a file of several images)
                  --stages      decode from the first k stages only (progressive quality), 1..K; default all K
                  --workers     native contexts working at once (default: one per core on the CPU, 2 on CUDA)
                Prints one line: images written, their size, stages used, images/s.
                """;
    }

    @Override
    public void run(List<String> args, PrintStream out) throws Exception {
        Options o = Options.parse(name(), args, OPTIONS);
        Path checkpoint = Path.of(o.required("checkpoint"));
        Path input = Path.of(o.required("input"));
        Path outDir = Path.of(o.required("out"));
        Backend backend = o.backend();
        Tokenizer.Options options = Commands.tokenizerOptions(o, backend);
        List<Path> files = tokenFiles(input);
        Path root = Files.isRegularFile(input) ? input.toAbsolutePath().getParent() : input.toAbsolutePath();
        try (Tokenizer tok = Tokenizer.load(checkpoint, options)) {
            int k = o.has("stages")
                    ? o.convert("stages", o.required("stages"), Commands.stageCount(tok.stages(), "the checkpoint's"))
                    : tok.stages();
            Files.createDirectories(outDir);
            long start = System.nanoTime();
            ExecutorService callers = Executors.newFixedThreadPool(tok.workers());
            int images = 0;
            int side = 0;
            try {
                List<Future<int[]>> calls = new ArrayList<>();
                for (Path file : files) {
                    calls.add(callers.submit(() -> decode(tok, file, root, outDir, k)));
                }
                for (Future<int[]> f : calls) {
                    int[] r = Commands.take(f);
                    images += r[0];
                    side = r[1];
                }
            } finally {
                callers.shutdownNow();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            out.println(String.format(Locale.ROOT, "%d token file(s) -> %d PNG image(s) of %dpx in %s, stages 1..%d of %d;"
                    + " %.1f images/s on %s x %d", files.size(), images, side, outDir, k, tok.stages(), images / seconds,
                    tok.backend().name().toLowerCase(Locale.ROOT), tok.workers()));
        }
    }

    /** Decodes one token file into PNGs; returns {images, side}. */
    private static int[] decode(Tokenizer tok, Path file, Path root, Path outDir, int k) throws IOException {
        Tokens tokens = tok.read(file);
        Images images = tok.decode(tokens, k);
        String rel = root.relativize(file.toAbsolutePath()).toString();
        String base = rel.substring(0, rel.length() - TokenFile.EXTENSION.length());
        for (int i = 0; i < images.batch(); i++) {
            Path png = outDir.resolve(images.batch() == 1 ? base + ".png" : base + "-" + i + ".png");
            Files.createDirectories(png.toAbsolutePath().getParent());
            Files.write(png, images.png(i));
        }
        return new int[] {images.batch(), images.height()};
    }

    private static List<Path> tokenFiles(Path input) throws IOException {
        if (Files.isRegularFile(input)) {
            return List.of(input);
        }
        if (!Files.isDirectory(input)) {
            throw new IOException(input + ": no such file or folder");
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(input, FileVisitOption.FOLLOW_LINKS)) {
            files = walk.filter(p -> p.getFileName().toString().endsWith(TokenFile.EXTENSION) && Files.isRegularFile(p))
                    .sorted().toList();
        } catch (UncheckedIOException e) {
            throw new IOException(input + ": cannot list: " + e.getCause().getMessage(), e.getCause());
        }
        if (files.isEmpty()) {
            throw new IOException(input + ": holds no " + TokenFile.EXTENSION + " token files");
        }
        return files;
    }
}
