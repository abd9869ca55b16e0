package dev.rfsq4j.io;

import dev.rfsq4j.Tensor;
import dev.rfsq4j.io.TorchPickle.StorageRef;
import dev.rfsq4j.io.TorchPickle.TensorRef;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The tensors of a PyTorch weights file ({@code torch.save(state_dict, path)}), read without Python and without
 * running anything the file says: the pickle goes through {@link TorchPickle}'s allow-list. Both formats
 * {@code torch.save} has written are read:
 * <ul>
 *   <li>the zip format (PyTorch 1.6 and later): {@code <name>/data.pkl} plus one entry per storage,
 *       {@code <name>/data/<key>};</li>
 *   <li>the legacy stream (PyTorch 0.2 to 1.5, and {@code _use_new_zipfile_serialization=False}; torchvision's
 *       2017 VGG16 weights and LPIPS's linear layers): pickles of the magic number, protocol version, system info,
 *       the object and the storage keys, then each storage as an int64 element count and its raw bytes.</li>
 * </ul>
 * Tensor data is read only when asked for, so a 500 MB checkpoint costs only the tensors used. Tensors must be
 * little-endian; any strides are accepted. A malformed file fails with a one-line {@link IOException} that starts
 * with the file name; asking for an unknown name or an unsupported dtype with an {@link IllegalArgumentException}.
 */
public final class TorchCheckpoint implements AutoCloseable {
    private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final long LEGACY_PROTOCOL = 1001;
    /** The largest data.pkl read (a state_dict's pickle is kilobytes; this bounds a hostile one). */
    private static final long MAX_PICKLE_BYTES = 256L << 20;

    /** Where a storage's bytes are: an archive entry (zip) or a byte offset in the file (legacy). */
    private sealed interface Source permits ZipSource, FileSource {}

    private record ZipSource(ZipFile zip, String prefix) implements Source {}

    private record FileSource(FileChannel channel, Map<String, Long> offsets) implements Source {}

    private final Path file;
    private final String format;
    private final Map<String, TensorRef> tensors;
    private final Source source;

    private TorchCheckpoint(Path file, String format, Map<String, TensorRef> tensors, Source source) {
        this.file = file;
        this.format = format;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.source = source;
    }

    /** Opens a .pth file and reads its pickle (not its tensor data). Close it to release the file. */
    public static TorchCheckpoint open(Path file) throws IOException {
        FileChannel ch = ReadChannel.open(file);
        try {
            ByteBuffer head = ByteBuffer.allocate(512);
            while (head.hasRemaining() && ch.read(head, head.position()) > 0) {
                // fill as much of the first 512 bytes as the file has
            }
            int n = head.position();
            byte[] b = head.array();
            if (n >= 4 && b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4) {
                ch.close();
                return openZip(file);
            }
            if (n >= 262 && new String(b, 257, 5, StandardCharsets.US_ASCII).equals("ustar")) {
                throw new IOException(file + ": a tar-format PyTorch checkpoint (PyTorch before 0.2): not supported;"
                        + " load it in PyTorch and save it again with torch.save");
            }
            if (n < 2 || (b[0] & 0xFF) != 0x80) {
                throw new IOException(file + ": not a PyTorch checkpoint (neither a zip archive nor a pickle stream)");
            }
            return openLegacy(file, ch);
        } catch (IOException e) {
            ch.close();
            throw Messages.named(file, "read", e);
        } catch (RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static TorchCheckpoint openZip(Path file) throws IOException {
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new IOException(file + ": corrupt zip archive: " + e.getMessage());
        }
        try {
            ZipEntry pkl = null;
            for (ZipEntry e : Collections.list(zip.entries())) {
                String name = e.getName();
                if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) {
                    if (pkl != null) {
                        throw new IOException(file + ": corrupt: more than one data.pkl in the archive");
                    }
                    pkl = e;
                }
            }
            if (pkl == null) {
                throw new IOException(file + ": a zip archive without <name>/data.pkl: not a PyTorch checkpoint");
            }
            // torch.save stores every entry uncompressed; a compressed one could inflate far beyond the file's size.
            checkStored(file, pkl);
            String prefix = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
            ZipEntry order = zip.getEntry(prefix + "byteorder");
            if (order != null) {
                String v = new String(zip.getInputStream(order).readNBytes(16), StandardCharsets.US_ASCII).strip();
                if (!v.equals("little")) {
                    throw new IOException(file + ": tensors stored " + Messages.quote(v) + "-endian: not supported");
                }
            }
            Object root;
            String where = file + ": " + Messages.quote(pkl.getName());
            try (InputStream in = new BufferedInputStream(zip.getInputStream(pkl))) {
                root = TorchPickle.load(where, in, MAX_PICKLE_BYTES);
            } catch (ZipException e) {
                throw new IOException(where + ": corrupt: " + e.getMessage());
            }
            Map<String, TensorRef> tensors = tensorsOf(file, root);
            for (TensorRef t : tensors.values()) {
                ZipEntry data = zip.getEntry(prefix + "data/" + t.storage().key());
                if (data == null) {
                    throw new IOException(file + ": corrupt: storage " + Messages.quote(t.storage().key())
                            + " is missing from the archive");
                }
                checkStored(file, data);
                long need = t.storage().numel() > Long.MAX_VALUE / 8 ? Long.MAX_VALUE
                        : t.storage().numel() * t.storage().itemBytes();
                if (data.getSize() >= 0 && data.getSize() < need) {
                    throw new IOException(file + ": corrupt: storage " + Messages.quote(t.storage().key()) + " holds " + data.getSize()
                            + " bytes, its tensors need " + need);
                }
            }
            return new TorchCheckpoint(file, "zip", tensors, new ZipSource(zip, prefix));
        } catch (IOException | RuntimeException e) {
            zip.close();
            throw e;
        }
    }

    private static void checkStored(Path file, ZipEntry e) throws IOException {
        if (e.getMethod() != ZipEntry.STORED) {
            throw new IOException(file + ": " + Messages.quote(e.getName()) + " is compressed; torch.save stores its"
                    + " entries uncompressed (not a PyTorch checkpoint, or one rewritten by another tool)");
        }
    }

    private static TorchCheckpoint openLegacy(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        Counting in = new Counting(new BufferedInputStream(Channels.newInputStream(ch.position(0)), 1 << 16));
        String where = file.toString();
        Object magic = TorchPickle.load(where, in, size);
        if (!LEGACY_MAGIC.equals(magic instanceof Long l ? BigInteger.valueOf(l) : magic)) {
            throw new IOException(file + ": a pickle, but not a PyTorch checkpoint (no torch.save magic number)");
        }
        Object protocol = TorchPickle.load(where, in, size - in.count);
        if (!(protocol instanceof Long p) || p != LEGACY_PROTOCOL) {
            // Only a number is shown as it is: anything else is file-controlled text or a structure.
            throw new IOException(file + ": unsupported torch.save protocol version " + (protocol instanceof Long
                    || protocol instanceof BigInteger ? Messages.quote(protocol.toString()) : "(a pickled "
                    + (protocol == null ? "None" : protocol.getClass().getSimpleName()) + ")"));
        }
        if (TorchPickle.load(where, in, size - in.count) instanceof Map<?, ?> info
                && Boolean.FALSE.equals(info.get("little_endian"))) {
            throw new IOException(file + ": tensors stored big-endian: not supported");
        }
        List<StorageRef> used = new ArrayList<>();
        Object root = TorchPickle.load(where, in, size - in.count, used);
        Object keys = TorchPickle.load(where, in, size - in.count);
        if (!(keys instanceof List<?> keyList)) {
            throw new IOException(file + ": corrupt: the storage key list is missing");
        }
        Map<String, TensorRef> tensors = tensorsOf(file, root);
        Map<String, StorageRef> storages = new HashMap<>();
        for (StorageRef s : used) {
            storages.put(s.key(), s);
        }
        // The storages follow in key order, each as an int64 element count and its bytes.
        Map<String, Long> offsets = new HashMap<>();
        long at = in.count;
        ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        for (Object k : keyList) {
            if (!(k instanceof String key)) {
                throw new IOException(file + ": corrupt: a storage key that is not a string");
            }
            header.clear();
            if (at > size - 8 || ch.read(header, at) != 8) {
                throw new IOException(file + ": truncated: storage " + Messages.quote(key) + " is missing (file ends at byte "
                        + size + ")");
            }
            long numel = header.getLong(0);
            StorageRef s = storages.get(key);
            if (s == null) {
                throw new IOException(file + ": corrupt: storage " + Messages.quote(key)
                        + " is listed but the pickle never names it");
            }
            if (numel != s.numel() || numel > (size - at - 8) / s.itemBytes()) {
                throw new IOException(file + ": corrupt: storage " + Messages.quote(key) + " says " + numel + " elements, its pickle "
                        + s.numel() + " (" + (size - at - 8) + " bytes left in the file)");
            }
            int item = s.itemBytes();
            offsets.put(key, at + 8);
            at += 8 + numel * item;
        }
        for (String key : storages.keySet()) {
            if (!offsets.containsKey(key)) {
                throw new IOException(file + ": corrupt: storage " + Messages.quote(key) + " is used but not stored");
            }
        }
        return new TorchCheckpoint(file, "legacy", tensors, new FileSource(ch, offsets));
    }

    /** The tensors of the top-level dict (a state_dict); other plain values in it are ignored. */
    private static Map<String, TensorRef> tensorsOf(Path file, Object root) throws IOException {
        if (!(root instanceof Map<?, ?> map)) {
            throw new IOException(file + ": holds " + (root == null ? "None" : "a " + root.getClass().getSimpleName())
                    + ", not a state_dict (a dict of tensors)");
        }
        Map<String, TensorRef> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (e.getKey() instanceof String name && e.getValue() instanceof TensorRef t) {
                // A state_dict's tensors own distinct elements; more elements than the storage holds means strides
                // that repeat elements (expanded or overlapping views), which would cost memory the file never held.
                long numel = 1;
                for (long d : t.shape()) {
                    numel = d == 0 || numel <= t.storage().numel() / d ? numel * d : Long.MAX_VALUE;
                }
                if (numel > t.storage().numel()) {
                    throw new IOException(file + ": tensor " + Messages.quote(name) + " of shape "
                            + Tensor.shapeString(t.shape()) + " has more elements than its storage ("
                            + t.storage().numel() + "): repeated elements (stride 0) are not supported");
                }
                tensors.put(name, t);
            }
        }
        return tensors;
    }

    /** "zip" or "legacy". */
    public String format() {
        return format;
    }

    /** Tensor names in the file's order. */
    public Set<String> names() {
        return tensors.keySet();
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public long[] shape(String name) {
        return get(name).shape().clone();
    }

    /** Element type as safetensors names it: F32, F64, F16, BF16, I64, I32, I16, I8, U8, BOOL. */
    public String dtype(String name) {
        return get(name).storage().dtype();
    }

    /** A floating-point tensor's elements in C order, as float32 (F64, F16 and BF16 converted). */
    public float[] floats(String name) throws IOException {
        try {
            return read(name);
        } catch (IOException e) {
            throw Messages.named(file, "read", e);
        }
    }

    private float[] read(String name) throws IOException {
        TensorRef t = get(name);
        String dtype = t.storage().dtype();
        if (!Set.of("F32", "F64", "F16", "BF16").contains(dtype)) {
            throw new IllegalArgumentException(file + ": tensor " + Messages.quote(name) + " is " + dtype
                    + ", not a floating-point tensor");
        }
        long numel = 1;
        for (long d : t.shape()) {
            numel = d == 0 || numel <= Integer.MAX_VALUE / d ? numel * d : Long.MAX_VALUE;
        }
        if (numel > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(file + ": tensor " + Messages.quote(name)
                    + " has too many elements for one Java array");
        }
        int item = t.storage().itemBytes();
        boolean contiguous = isContiguous(t);
        // Contiguous: just the tensor's range; otherwise the span its strides reach.
        long first = t.offset();
        long span = contiguous ? numel : lastElement(t) - first + 1;
        ByteBuffer bytes = readStorage(name, t.storage(), first * item, Math.multiplyExact(span, (long) item))
                .order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[(int) numel];
        long[] index = new long[t.shape().length];
        for (int i = 0; i < out.length; i++) {
            long e = 0;
            if (contiguous) {
                e = i;
            } else {
                for (int d = 0; d < index.length; d++) {
                    e += index[d] * t.stride()[d];
                }
                for (int d = index.length - 1; d >= 0; d--) {
                    if (++index[d] < t.shape()[d]) {
                        break;
                    }
                    index[d] = 0;
                }
            }
            int p = Math.toIntExact(e * item);
            out[i] = switch (dtype) {
                case "F32" -> bytes.getFloat(p);
                case "F64" -> (float) bytes.getDouble(p);
                case "F16" -> Float.float16ToFloat(bytes.getShort(p));
                default -> Float.intBitsToFloat((bytes.getShort(p) & 0xFFFF) << 16); // BF16
            };
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        switch (source) {
            case ZipSource z -> z.zip().close();
            case FileSource f -> f.channel().close();
        }
    }

    @Override
    public String toString() {
        return "TorchCheckpoint[" + file + ", " + format + ", " + tensors.size() + " tensors]";
    }

    private TensorRef get(String name) {
        TensorRef t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException(file + ": no tensor named " + Messages.quote(name));
        }
        return t;
    }

    private static boolean isContiguous(TensorRef t) {
        long expected = 1;
        for (int d = t.shape().length - 1; d >= 0; d--) {
            if (t.shape()[d] != 1 && t.stride()[d] != expected) {
                return false;
            }
            expected *= t.shape()[d];
        }
        return true;
    }

    private static long lastElement(TensorRef t) {
        long last = t.offset();
        for (int d = 0; d < t.shape().length; d++) {
            last += (t.shape()[d] - 1) * t.stride()[d];
        }
        return last;
    }

    /** bytes [from, from + length) of a storage. */
    private ByteBuffer readStorage(String name, StorageRef s, long from, long length) throws IOException {
        if (length > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(file + ": tensor " + Messages.quote(name)
                    + " spans too many bytes for one buffer");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) length);
        switch (source) {
            case ZipSource z -> {
                ZipEntry entry = z.zip().getEntry(z.prefix() + "data/" + s.key());
                try (InputStream in = z.zip().getInputStream(entry)) {
                    in.skipNBytes(from);
                    byte[] b = in.readNBytes((int) length);
                    if (b.length != length) {
                        throw new IOException(file + ": truncated: storage " + Messages.quote(s.key()) + " of tensor "
                                + Messages.quote(name));
                    }
                    buf.put(b).flip();
                } catch (EOFException | ZipException e) {
                    throw new IOException(file + ": corrupt or truncated storage " + Messages.quote(s.key()) + " of tensor "
                            + Messages.quote(name));
                }
            }
            case FileSource f -> {
                long at = f.offsets().get(s.key()) + from;
                while (buf.hasRemaining()) {
                    if (f.channel().read(buf, at + buf.position()) < 0) {
                        throw new IOException(file + ": truncated: storage " + Messages.quote(s.key()) + " of tensor "
                                + Messages.quote(name));
                    }
                }
                buf.flip();
            }
        }
        return buf;
    }

    /** Counts the bytes read through it (where the legacy format's storages start). */
    private static final class Counting extends FilterInputStream {
        long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(n);
            count += s;
            return s;
        }
    }
}
