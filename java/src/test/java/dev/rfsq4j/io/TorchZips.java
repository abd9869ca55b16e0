package dev.rfsq4j.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** One-entry zip files for the .pth tests (TorchCheckpointTest, LpipsTest), hostile or not. */
public final class TorchZips {
    private TorchZips() {}

    /** A zip with one entry, stored uncompressed as torch.save stores its entries. */
    public static void write(Path file, String entry, byte[] data) throws IOException {
        write(file, entry, data, ZipEntry.STORED);
    }

    /** A zip with one entry, stored or deflated. */
    public static void write(Path file, String entry, byte[] data, int method) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            ZipEntry e = new ZipEntry(entry);
            e.setMethod(method);
            if (method == ZipEntry.STORED) {
                CRC32 crc = new CRC32();
                crc.update(data);
                e.setSize(data.length);
                e.setCompressedSize(data.length);
                e.setCrc(crc.getValue());
            }
            zip.putNextEntry(e);
            zip.write(data);
            zip.closeEntry();
        }
    }
}
