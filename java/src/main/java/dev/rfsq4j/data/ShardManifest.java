package dev.rfsq4j.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * {@value Shards#MANIFEST}: the list of a prepared data set's shards, written last by {@code rfsq4j prepare} (its
 * presence means the set is complete). UTF-8 text, one field per line:
 *
 * <pre>
 * rfsq4j-shards 1
 * image-size 128
 * images 400
 * jpeg-decoder TurboJPEG
 * classes 2
 * class n01440764
 * class n01443537
 * shard shard-00000.rfsq 400 1a2b3c4d     (file, images, the shard's header CRC32C in hex)
 * crc32c 5e6f7a8b                          (of every byte before this line)
 * </pre>
 */
record ShardManifest(int imageSize, int images, String jpegDecoder, List<String> classes, List<Shard> shards) {
    record Shard(String file, int count, int crc) {}

    static final Pattern SHARD_FILE = Pattern.compile("shard-[0-9]{5,9}\\.rfsq");
    private static final int MAX_BYTES = 64 << 20;

    String text() {
        StringBuilder s = new StringBuilder("rfsq4j-shards 1\n");
        s.append("image-size ").append(imageSize).append('\n');
        s.append("images ").append(images).append('\n');
        s.append("jpeg-decoder ").append(jpegDecoder).append('\n');
        s.append("classes ").append(classes.size()).append('\n');
        for (String c : classes) {
            s.append("class ").append(c).append('\n');
        }
        for (Shard sh : shards) {
            s.append("shard ").append(sh.file()).append(' ').append(sh.count()).append(' ')
                    .append(HexFormat.of().toHexDigits(sh.crc())).append('\n');
        }
        byte[] body = s.toString().getBytes(StandardCharsets.UTF_8);
        CRC32C crc = new CRC32C();
        crc.update(body);
        return s.append("crc32c ").append(HexFormat.of().toHexDigits((int) crc.getValue())).append('\n').toString();
    }

    /** Reads and checks a manifest; the message of a refusal names the file and what is wrong. */
    static ShardManifest read(Path file) throws IOException {
        if (Files.size(file) > MAX_BYTES) {
            throw new IOException(file + ": " + Files.size(file) + " bytes, too large for a shard manifest");
        }
        byte[] bytes = Files.readAllBytes(file);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw bad(file, "not UTF-8 text");
        }
        int last = text.lastIndexOf("crc32c ");
        if (last < 0 || !text.endsWith("\n")) {
            throw bad(file, "truncated (no crc32c line at the end)");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, text.substring(0, last).getBytes(StandardCharsets.UTF_8).length);
        if (!text.substring(last).equals("crc32c " + HexFormat.of().toHexDigits((int) crc.getValue()) + "\n")) {
            throw bad(file, "fails its checksum (damaged or edited)");
        }
        List<String> lines = List.of(text.substring(0, last).split("\n", -1));
        try {
            if (lines.isEmpty() || !lines.get(0).equals("rfsq4j-shards 1")) {
                throw bad(file, "not an rfsq4j shard manifest of version 1");
            }
            int size = Integer.parseInt(value(file, lines, 1, "image-size"));
            int images = Integer.parseInt(value(file, lines, 2, "images"));
            String decoder = value(file, lines, 3, "jpeg-decoder");
            int classCount = Integer.parseInt(value(file, lines, 4, "classes"));
            if (size < 1 || images < 1 || classCount < 0 || classCount > lines.size()) {
                throw bad(file, "invalid image size, image or class count");
            }
            List<String> classes = new ArrayList<>();
            for (int i = 0; i < classCount; i++) {
                classes.add(value(file, lines, 5 + i, "class"));
            }
            List<Shard> shards = new ArrayList<>();
            long total = 0;
            for (int i = 5 + classCount; i < lines.size() - 1; i++) {
                String[] f = value(file, lines, i, "shard").split(" ");
                if (f.length != 3 || !SHARD_FILE.matcher(f[0]).matches()) {
                    throw bad(file, "line " + (i + 1) + " is not 'shard shard-NNNNN.rfsq COUNT CRC'");
                }
                Shard shard = new Shard(f[0], Integer.parseInt(f[1]), HexFormat.fromHexDigits(f[2]));
                if (shard.count() < 1 || f[2].length() != 8) {
                    throw bad(file, "line " + (i + 1) + ": invalid count or CRC");
                }
                shards.add(shard);
                total += shard.count();
            }
            if (!lines.getLast().isEmpty() || shards.isEmpty() || total != images) {
                throw bad(file, "lists " + total + " images in " + shards.size() + " shards, its header says " + images);
            }
            return new ShardManifest(size, images, decoder, List.copyOf(classes), List.copyOf(shards));
        } catch (NumberFormatException e) {
            throw bad(file, "a number is malformed (" + e.getMessage() + ")");
        }
    }

    /** Writes the manifest under a temporary name and renames it into place. */
    void write(Path file) throws IOException {
        AtomicFiles.write(file, text().getBytes(StandardCharsets.UTF_8));
    }

    private static String value(Path file, List<String> lines, int i, String key) throws IOException {
        if (i >= lines.size() || !lines.get(i).startsWith(key + " ")) {
            throw bad(file, "expected '" + key + " ...' at line " + (i + 1));
        }
        return lines.get(i).substring(key.length() + 1);
    }

    private static IOException bad(Path file, String what) {
        return new IOException(file + ": " + what + " (re-run rfsq4j prepare)");
    }
}
