package dev.rfsq4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rfsq4j.Python;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** The reference: torchvision's Resize(S) + CenterCrop(S) on Pillow's image, computed by Pillow itself. */
final class Pillow {
    private static final String SCRIPT = """
            import sys
            from PIL import Image
            S = int(sys.argv[1])
            for arg in sys.argv[2:]:
                path, d = arg.rsplit('|', 1)
                im = Image.open(path)
                w, h = im.size
                if int(d) > 1:  # libjpeg's DCT scaling by 1/d, as rfsq4j's opt-in DCT scaling
                    im.draft('RGB', (w // int(d), h // int(d)))
                im = im.convert('RGB')
                nw, nh = (S, int(S * h / w)) if w <= h else (int(S * w / h), S)
                im = im.resize((nw, nh), Image.BILINEAR)
                left, top = int(round((nw - S) / 2.0)), int(round((nh - S) / 2.0))
                print(im.crop((left, top, left + S, top + S)).tobytes().hex())
            """;

    private Pillow() {}

    static boolean available() throws IOException, InterruptedException {
        return Python.has("PIL");
    }

    static String version() throws IOException, InterruptedException {
        return Python.run("import PIL; print(PIL.__version__)").output();
    }

    /** Each file's S x S x 3 crop (HWC bytes); dct[i] > 1 decodes file i at 1/dct[i] first. */
    static List<byte[]> crops(List<Path> files, int size, int[] dct) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(Integer.toString(size)));
        for (int i = 0; i < files.size(); i++) {
            args.add(files.get(i) + "|" + dct[i]);
        }
        Python.Result r = Python.run(SCRIPT, args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.output().length() > 2000 ? r.output().substring(0, 2000) : r.output());
        List<byte[]> out = new ArrayList<>();
        for (String line : r.output().split("\n")) {
            out.add(HexFormat.of().parseHex(line.strip()));
        }
        assertEquals(files.size(), out.size());
        return out;
    }

    static List<byte[]> crops(List<Path> files, int size) throws IOException, InterruptedException {
        return crops(files, size, new int[files.size()]);
    }
}
