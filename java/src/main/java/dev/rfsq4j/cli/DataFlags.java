package dev.rfsq4j.cli;

import dev.rfsq4j.data.DataOptions;
import java.util.Set;

/** The flags that say how images are read, shared by the commands that read image folders. */
final class DataFlags {
    static final Set<String> OPTIONS = Set.of("jpeg-decoder");
    static final Set<String> FLAGS = Set.of("strict-data", "jpeg-dct-scaling");
    static final String USAGE = """
              --strict-data       stop at the first image that cannot be decoded, naming it (default: skip it,
                                  report it, and count it)
              --jpeg-decoder D    auto (default: TurboJPEG when libturbojpeg0 is installed, else ImageIO with a
                                  notice), turbojpeg or imageio
              --jpeg-dct-scaling  let TurboJPEG decode large JPEGs at 1/2, 1/4 or 1/8 size first (faster on big
                                  photos; no longer Pillow's pixels bit for bit: see the README)
            """;

    private DataFlags() {}

    static DataOptions options(Options o) {
        return new DataOptions(o.has("strict-data"),
                o.convert("jpeg-decoder", o.optional("jpeg-decoder", "auto"), DataOptions.JpegDecoder::parse),
                o.has("jpeg-dct-scaling"));
    }
}
