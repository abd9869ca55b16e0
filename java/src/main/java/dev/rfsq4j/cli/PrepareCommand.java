package dev.rfsq4j.cli;

import dev.rfsq4j.data.DataOptions;
import dev.rfsq4j.data.Prepare;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** {@code rfsq4j prepare}: a folder of images decoded once into shards that train and evaluate read directly. */
final class PrepareCommand implements Command {
    private static final Set<String> OPTIONS = Set.of("data", "out", "size", "workers", "images-per-shard");

    @Override
    public String name() {
        return "prepare";
    }

    @Override
    public String summary() {
        return "decode a folder of PNG/JPEG images once into shards (uint8, memory-mapped by train)";
    }

    @Override
    public String usage() {
        return """
                usage: rfsq4j prepare --data DIR --out SHARDS [--size 128] [--workers N] [--images-per-shard N]
                                      [data options]

                Decodes every image under DIR (searched recursively, sorted by path; class folders such as ImageNet's
                train/<wnid>/ become labels) exactly as training decodes it: shorter side resized to SIZE with Pillow's
                antialiased bilinear filter, center crop, 8-bit RGB. Writes SHARDS/shard-NNNNN.rfsq (uint8 HWC pixels
                with a checksum per image, an index of labels and names, a header checksum) and SHARDS/rfsq4j-shards.txt
                last. Each shard is written under a temporary name and renamed when complete: run the same command
                again after an interruption and it keeps the finished shards. Pass SHARDS as --data to rfsq4j train.
                  --size              image size S (default 128; train's --image-size must match)
                  --workers           decoding threads (default: the number of processors)
                  --images-per-shard  default: as many as fit in 256 MiB (5461 at 128 px)
                data options (as train's: a folder and its shards give the same pixels when read alike; a skipped
                image is stored as skipped, with the reason, so that the shards stay index for index the folder):
                %s""".formatted(DataFlags.USAGE);
    }

    @Override
    public void run(List<String> args, PrintStream out) throws Exception {
        Options o = Options.parse(name(), args, Options.union(OPTIONS, DataFlags.OPTIONS), DataFlags.FLAGS);
        Path data = o.path("data");
        Path shards = o.path("out");
        int size = o.integer("size", "128", 1, 32768);
        int workers = o.integer("workers", Integer.toString(Runtime.getRuntime().availableProcessors()), 1, 1024);
        int perShard = o.integer("images-per-shard", Integer.toString(Prepare.defaultImagesPerShard(size)), 1,
                Integer.MAX_VALUE);
        DataOptions options = DataFlags.options(o);
        if (3L * size * size * perShard > Integer.MAX_VALUE) {
            throw o.usage("a shard's pixels must stay under 2 GiB: lower --images-per-shard or --size");
        }
        Prepare.Result r = Prepare.run(data, shards, size, workers, perShard, options, out);
        out.printf("%s: %d images in %d shards (%d kept from an earlier run), %d skipped%n", shards, r.images(), r.shards(),
                r.reused(), r.skipped());
    }
}
