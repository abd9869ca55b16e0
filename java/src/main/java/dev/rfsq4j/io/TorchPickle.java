package dev.rfsq4j.io;

import dev.rfsq4j.Tensor;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A restricted reader of the Python pickles inside PyTorch weight files ({@code torch.save} of a state_dict): it
 * understands the opcodes such a pickle uses (protocols 2 to 4) and resolves only the globals a state_dict needs:
 * {@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2} (and {@code _rebuild_tensor},
 * {@code _rebuild_parameter}) and the typed storage classes {@code torch.FloatStorage} etc., referenced through
 * persistent ids. Every other global, and every opcode that builds arbitrary objects (INST, OBJ, NEWOBJ, EXT*),
 * is refused with an {@link IOException} before anything is called: nothing in a weights file runs as code.
 *
 * <p>Python values become Java values: None → {@code null}, bool → Boolean, int → Long (BigInteger when it does
 * not fit), float → Double, str → String, bytes → byte[], list → {@link List}, tuple → {@link Tuple}, dict and
 * OrderedDict → {@link LinkedHashMap}; a persistent storage id → {@link StorageRef}; a rebuilt tensor →
 * {@link TensorRef}. Malformed input (truncated, stack underflow, a memo key never set, sizes beyond the input)
 * fails with a one-line IOException naming the source.
 */
final class TorchPickle {
    /** A Python tuple. */
    record Tuple(List<Object> items) {
        Object get(int i) {
            return items.get(i);
        }

        int size() {
            return items.size();
        }
    }

    /** A resolved global of the allow-list (module.name). */
    record Global(String module, String name) {
        String qualified() {
            return module + "." + name;
        }
    }

    /** A storage named by a persistent id: its element type (from the storage class), key, device and element count. */
    record StorageRef(String dtype, int itemBytes, String key, String location, long numel) {}

    /** A tensor view of a storage: element offset, shape and strides in elements. */
    record TensorRef(StorageRef storage, long offset, long[] shape, long[] stride) {}

    /** Storage classes and their element types (safetensors dtype names) and sizes. */
    private static final Map<String, String> STORAGE_DTYPES = Map.ofEntries(
            Map.entry("FloatStorage", "F32"), Map.entry("DoubleStorage", "F64"), Map.entry("HalfStorage", "F16"),
            Map.entry("BFloat16Storage", "BF16"), Map.entry("LongStorage", "I64"), Map.entry("IntStorage", "I32"),
            Map.entry("ShortStorage", "I16"), Map.entry("CharStorage", "I8"), Map.entry("ByteStorage", "U8"),
            Map.entry("BoolStorage", "BOOL"));
    private static final Map<String, Integer> ITEM_BYTES = Map.of("F32", 4, "F64", 8, "F16", 2, "BF16", 2, "I64", 8, "I32", 4,
            "I16", 2, "I8", 1, "U8", 1, "BOOL", 1);
    private static final Set<String> CALLABLES = Set.of("collections.OrderedDict", "torch._utils._rebuild_tensor_v2",
            "torch._utils._rebuild_tensor", "torch._utils._rebuild_parameter");
    /** Bounds on what a hostile pickle can make us hold. */
    private static final int MAX_STACK = 1 << 20;
    private static final int MAX_MEMO = 1 << 22;
    private static final int MAX_DIMS = 64;

    private static final Object MARK = new Object();

    private final String source;
    private final InputStream in;
    private final long limit;
    private long read;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private final List<StorageRef> storages;

    private TorchPickle(String source, InputStream in, long limit, List<StorageRef> storages) {
        this.source = source;
        this.in = in;
        this.limit = limit;
        this.storages = storages;
    }

    /**
     * Reads one pickle from in (which is left just after its STOP opcode), reading at most limit bytes. source
     * names the input in messages (a file, or a file and an archive entry).
     */
    static Object load(String source, InputStream in, long limit) throws IOException {
        return load(source, in, limit, new ArrayList<>());
    }

    /** Like {@link #load(String, InputStream, long)}, adding every storage the pickle names to storages. */
    static Object load(String source, InputStream in, long limit, List<StorageRef> storages) throws IOException {
        return new TorchPickle(source, in, limit, storages).run();
    }

    private Object run() throws IOException {
        while (true) {
            long at = read;
            int op = u8();
            switch (op) {
                case 0x80 -> { // PROTO
                    int proto = u8();
                    if (proto < 2 || proto > 5) {
                        throw corrupt(at, "pickle protocol " + proto + " (weights files use 2 to 5)");
                    }
                }
                case 0x95 -> skip(8); // FRAME: a hint for buffered readers
                case '.' -> { // STOP
                    if (stack.size() != 1 || !marks.isEmpty()) {
                        throw corrupt(at, "the pickle ends with " + stack.size() + " values on its stack");
                    }
                    return stack.get(0);
                }
                case '(' -> { // MARK
                    marks.add(stack.size());
                    push(MARK);
                }
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'K' -> push((long) u8()); // BININT1
                case 'M' -> push((long) (u8() | u8() << 8)); // BININT2
                case 'J' -> push((long) le32()); // BININT
                case 0x8a -> push(longOf(bytes(u8(), at))); // LONG1
                case 0x8b -> push(longOf(bytes(length(le32(), at), at))); // LONG4
                case 'G' -> push(Double.longBitsToDouble(be64())); // BINFLOAT
                case 'X' -> push(utf8(bytes(length(le32(), at), at), at)); // BINUNICODE
                case 0x8c -> push(utf8(bytes(u8(), at), at)); // SHORT_BINUNICODE
                case 0x8d -> push(utf8(bytes(length(le64(), at), at), at)); // BINUNICODE8
                case 'U' -> push(new String(bytes(u8(), at), StandardCharsets.ISO_8859_1)); // SHORT_BINSTRING (py2 str)
                case 'T' -> push(new String(bytes(length(le32(), at), at), StandardCharsets.ISO_8859_1)); // BINSTRING
                case 'C' -> push(bytes(u8(), at)); // SHORT_BINBYTES
                case 'B' -> push(bytes(length(le32(), at), at)); // BINBYTES
                case 0x8e -> push(bytes(length(le64(), at), at)); // BINBYTES8
                case ')' -> push(new Tuple(List.of()));
                case 0x85 -> push(tuple(pop(at))); // TUPLE1
                case 0x86 -> { // TUPLE2
                    Object b = pop(at), a = pop(at);
                    push(tuple(a, b));
                }
                case 0x87 -> { // TUPLE3
                    Object c = pop(at), b = pop(at), a = pop(at);
                    push(tuple(a, b, c));
                }
                case 't' -> push(new Tuple(Collections.unmodifiableList(popMark(at)))); // TUPLE
                case ']' -> push(new ArrayList<>()); // EMPTY_LIST
                case 'l' -> push(new ArrayList<>(popMark(at))); // LIST
                case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
                case 'd' -> { // DICT
                    List<Object> items = popMark(at);
                    Map<Object, Object> map = new LinkedHashMap<>();
                    putPairs(map, items, at);
                    push(map);
                }
                case 'a' -> { // APPEND
                    Object v = pop(at);
                    list(peek(at), at).add(v);
                }
                case 'e' -> { // APPENDS
                    List<Object> items = popMark(at);
                    list(peek(at), at).addAll(items);
                }
                case 's' -> { // SETITEM
                    Object v = pop(at), k = pop(at);
                    map(peek(at), at).put(key(k, at), v);
                }
                case 'u' -> { // SETITEMS
                    List<Object> items = popMark(at);
                    putPairs(map(peek(at), at), items, at);
                }
                case 'q' -> memoPut(u8(), at); // BINPUT
                case 'r' -> memoPut(Integer.toUnsignedLong(le32()), at); // LONG_BINPUT
                case 0x94 -> memoPut(memo.size(), at); // MEMOIZE
                case 'h' -> push(memoGet(u8(), at)); // BINGET
                case 'j' -> push(memoGet(Integer.toUnsignedLong(le32()), at)); // LONG_BINGET
                case '0' -> pop(at); // POP
                case '2' -> push(peek(at)); // DUP
                case '1' -> popMark(at); // POP_MARK
                case 'c' -> push(global(line(at), line(at), at)); // GLOBAL
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop(at), module = pop(at);
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw corrupt(at, "STACK_GLOBAL needs two strings");
                    }
                    push(global(m, n, at));
                }
                case 'Q' -> push(persistent(pop(at), at)); // BINPERSID
                case 'R' -> { // REDUCE
                    Object args = pop(at), callable = pop(at);
                    push(reduce(callable, args, at));
                }
                case 'b' -> { // BUILD
                    Object state = pop(at);
                    build(peek(at), state, at);
                }
                default -> throw new IOException(source + ": refused: pickle opcode " + opName(op) + " at byte " + at
                        + " is not one a PyTorch state_dict uses (it could build arbitrary objects)");
            }
        }
    }

    // ---- the allow-list ------------------------------------------------------------------------------------

    private Global global(String module, String name, long at) throws IOException {
        Global g = new Global(module, name);
        boolean storage = module.equals("torch") && STORAGE_DTYPES.containsKey(name);
        if (!storage && !CALLABLES.contains(g.qualified())) {
            throw new IOException(source + ": refused: the pickle names the global " + Messages.quote(g.qualified())
                    + " (byte " + at
                    + "); a weights file may only use collections.OrderedDict, torch._utils._rebuild_tensor_v2 and"
                    + " torch.*Storage, so it is not loaded (it could run code)");
        }
        return g;
    }

    private Object reduce(Object callable, Object args, long at) throws IOException {
        if (!(callable instanceof Global g) || !CALLABLES.contains(g.qualified())) {
            throw new IOException(source + ": refused: REDUCE (a call) of " + describe(callable) + " at byte " + at
                    + "; only collections.OrderedDict and torch._utils._rebuild_tensor* may be called");
        }
        if (!(args instanceof Tuple t)) {
            throw corrupt(at, "the arguments of " + g.qualified() + " are " + describe(args) + ", not a tuple");
        }
        return switch (g.name()) {
            case "OrderedDict" -> orderedDict(t, at);
            case "_rebuild_tensor_v2", "_rebuild_tensor" -> rebuildTensor(g, t, at);
            default -> { // _rebuild_parameter(data, requires_grad, backward_hooks): the tensor itself
                if (t.size() < 1 || !(t.get(0) instanceof TensorRef tensor)) {
                    throw corrupt(at, "_rebuild_parameter needs a tensor as its first argument");
                }
                yield tensor;
            }
        };
    }

    private Map<Object, Object> orderedDict(Tuple args, long at) throws IOException {
        Map<Object, Object> map = new LinkedHashMap<>();
        if (args.size() == 0) {
            return map;
        }
        if (args.size() != 1 || !(args.get(0) instanceof List<?> pairs)) {
            throw corrupt(at, "OrderedDict takes no arguments or one list of pairs here");
        }
        for (Object pair : pairs) {
            List<Object> kv = pair instanceof Tuple tp ? tp.items() : pair instanceof List<?> l ? List.copyOf(nulls(l)) : null;
            if (kv == null || kv.size() != 2) {
                throw corrupt(at, "an OrderedDict item is " + describe(pair) + ", not a (key, value) pair");
            }
            map.put(key(kv.get(0), at), kv.get(1));
        }
        return map;
    }

    /** _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, backward_hooks[, metadata]) or _rebuild_tensor. */
    private TensorRef rebuildTensor(Global g, Tuple args, long at) throws IOException {
        int min = g.name().equals("_rebuild_tensor") ? 4 : 6;
        if (args.size() < min || args.size() > 7 || !(args.get(0) instanceof StorageRef storage)) {
            throw corrupt(at, g.qualified() + " needs (storage, offset, size, stride, ...), got " + args.size()
                    + " arguments");
        }
        long offset = nonNegative(args.get(1), "storage offset", at);
        long[] shape = dims(args.get(2), "size", at);
        long[] stride = dims(args.get(3), "stride", at);
        if (shape.length != stride.length) {
            throw corrupt(at, "a tensor's size has " + shape.length + " dimensions and its stride " + stride.length);
        }
        for (int i = 4; i < args.size(); i++) {
            Object extra = args.get(i); // requires_grad, backward_hooks (empty), metadata: plain data, ignored
            if (extra instanceof Map<?, ?> m && !m.isEmpty() && i == 5) {
                throw new IOException(source + ": refused: a tensor with backward hooks (byte " + at + ")");
            }
        }
        // Every element the view reaches must lie inside its storage.
        long last = offset;
        try {
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] == 0) {
                    last = -1;
                    break;
                }
                last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, stride[i]));
            }
        } catch (ArithmeticException e) {
            throw corrupt(at, "a tensor whose size and strides overflow");
        }
        if (last >= storage.numel()) {
            throw corrupt(at, "a tensor of shape " + Tensor.shapeString(shape) + " at offset " + offset + " reaches element "
                    + last + " of a storage of " + storage.numel());
        }
        return new TensorRef(storage, offset, shape, stride);
    }

    /** ('storage', torch.XStorage, key, location, numel[, view_metadata]) as torch.save writes it. */
    private StorageRef persistent(Object pid, long at) throws IOException {
        if (!(pid instanceof Tuple t) || t.size() < 5 || t.size() > 6 || !"storage".equals(t.get(0))) {
            throw new IOException(source + ": refused: persistent id " + describe(pid) + " at byte " + at
                    + " is not a tensor storage ('storage', type, key, location, size)");
        }
        if (!(t.get(1) instanceof Global g) || !g.module().equals("torch") || !STORAGE_DTYPES.containsKey(g.name())) {
            throw corrupt(at, "a storage of type " + describe(t.get(1)));
        }
        if (!(t.get(2) instanceof String key) || !(t.get(3) instanceof String location)) {
            throw corrupt(at, "a storage key and location must be strings");
        }
        if (t.size() == 6 && t.get(5) != null) {
            throw new IOException(source + ": refused: storage views (legacy view_metadata) are not supported (byte "
                    + at + ")");
        }
        String dtype = STORAGE_DTYPES.get(g.name());
        StorageRef ref = new StorageRef(dtype, ITEM_BYTES.get(dtype), key, location, nonNegative(t.get(4), "storage size", at));
        storages.add(ref);
        return ref;
    }

    /** BUILD sets state on an object; the only one a state_dict has is OrderedDict's _metadata (versions): ignored. */
    private void build(Object target, Object state, long at) throws IOException {
        if (!(target instanceof Map<?, ?>) || !(state == null || state instanceof Map<?, ?>)) {
            throw new IOException(source + ": refused: BUILD of " + describe(target) + " with " + describe(state)
                    + " at byte " + at + " (only an OrderedDict's metadata is accepted)");
        }
    }

    // ---- stack, memo, input ----------------------------------------------------------------------------------

    private void push(Object v) throws IOException {
        if (stack.size() >= MAX_STACK) {
            throw corrupt(read, "more than " + MAX_STACK + " values on the pickle stack");
        }
        stack.add(v);
    }

    private Object pop(long at) throws IOException {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw corrupt(at, "stack underflow");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek(long at) throws IOException {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw corrupt(at, "stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark(long at) throws IOException {
        if (marks.isEmpty()) {
            throw corrupt(at, "no MARK to pop to");
        }
        int m = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
        stack.subList(m, stack.size()).clear();
        return items;
    }

    private void memoPut(long key, long at) throws IOException {
        if (memo.size() >= MAX_MEMO && !memo.containsKey(key)) {
            throw corrupt(at, "more than " + MAX_MEMO + " memo entries");
        }
        memo.put(key, peek(at));
    }

    private Object memoGet(long key, long at) throws IOException {
        if (!memo.containsKey(key)) {
            throw corrupt(at, "memo entry " + key + " read before it was written");
        }
        return memo.get(key);
    }

    private int u8() throws IOException {
        if (read >= limit) {
            throw new EOFException(source + ": truncated pickle (it ends before its STOP opcode)");
        }
        int b = in.read();
        if (b < 0) {
            throw new EOFException(source + ": truncated pickle (it ends before its STOP opcode)");
        }
        read++;
        return b;
    }

    private int le32() throws IOException {
        return u8() | u8() << 8 | u8() << 16 | u8() << 24;
    }

    private long le64() throws IOException {
        return (le32() & 0xFFFFFFFFL) | (long) le32() << 32;
    }

    private long be64() throws IOException {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | u8();
        }
        return v;
    }

    private int length(long n, long at) throws IOException {
        if (n < 0 || n > limit - read || n > Integer.MAX_VALUE - 8) {
            throw corrupt(at, "a length of " + n + " bytes beyond the end of the pickle");
        }
        return (int) n;
    }

    private byte[] bytes(int n, long at) throws IOException {
        length(n, at);
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new EOFException(source + ": truncated pickle (it ends before its STOP opcode)");
        }
        read += n;
        return b;
    }

    private void skip(int n) throws IOException {
        bytes(n, read);
    }

    /** A newline-terminated ASCII line (GLOBAL's module and name), at most 256 bytes. */
    private String line(long at) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = u8(); c != '\n'; c = u8()) {
            if (c < 0x20 || c > 0x7e || sb.length() > 256) {
                throw corrupt(at, "a GLOBAL name that is not a short printable line");
            }
            sb.append((char) c);
        }
        return sb.toString();
    }

    private String utf8(byte[] b, long at) throws IOException {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw corrupt(at, "a string that is not valid UTF-8");
        }
    }

    // ---- value helpers ---------------------------------------------------------------------------------------

    private static Object longOf(byte[] le) {
        if (le.length == 0) {
            return 0L;
        }
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) {
            be[i] = le[le.length - 1 - i];
        }
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private static Tuple tuple(Object... items) {
        return new Tuple(Collections.unmodifiableList(nulls(Arrays.asList(items))));
    }

    @SuppressWarnings("unchecked")
    private static List<Object> nulls(List<?> l) {
        return (List<Object>) new ArrayList<>(l);
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o, long at) throws IOException {
        if (!(o instanceof ArrayList<?>)) {
            throw corrupt(at, "APPEND to " + describe(o));
        }
        return (List<Object>) o;
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> map(Object o, long at) throws IOException {
        if (!(o instanceof LinkedHashMap<?, ?>)) {
            throw corrupt(at, "SETITEM on " + describe(o));
        }
        return (Map<Object, Object>) o;
    }

    private void putPairs(Map<Object, Object> map, List<Object> items, long at) throws IOException {
        if (items.size() % 2 != 0) {
            throw corrupt(at, "an odd number of dict items");
        }
        for (int i = 0; i < items.size(); i += 2) {
            map.put(key(items.get(i), at), items.get(i + 1));
        }
    }

    /** Dict keys: only hashable plain values (str, int, bool, None, tuples of those). */
    private Object key(Object k, long at) throws IOException {
        if (k == null || k instanceof String || k instanceof Long || k instanceof BigInteger || k instanceof Boolean
                || k instanceof Double || k instanceof Tuple) {
            return k;
        }
        throw corrupt(at, "a dict key that is " + describe(k));
    }

    private long nonNegative(Object o, String what, long at) throws IOException {
        if (!(o instanceof Long v) || v < 0) {
            throw corrupt(at, "a " + what + " of " + describe(o));
        }
        return v;
    }

    private long[] dims(Object o, String what, long at) throws IOException {
        if (!(o instanceof Tuple t) || t.size() > MAX_DIMS) {
            throw corrupt(at, "a tensor " + what + " of " + describe(o));
        }
        long[] d = new long[t.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = nonNegative(t.get(i), "tensor " + what + " entry", at);
        }
        return d;
    }

    private IOException corrupt(long at, String what) {
        return new IOException(source + ": corrupt pickle at byte " + at + ": " + what);
    }

    private static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Global g) {
            return g.qualified();
        }
        if (o == MARK) {
            return "a MARK";
        }
        return "a " + o.getClass().getSimpleName();
    }

    private static String opName(int op) {
        String printable = op >= 0x20 && op < 0x7f ? "'" + (char) op + "' " : "";
        String name = switch (op) {
            case 'i' -> "INST";
            case 'o' -> "OBJ";
            case 0x81 -> "NEWOBJ";
            case 0x92 -> "NEWOBJ_EX";
            case 0x82, 0x83, 0x84 -> "EXT";
            case 'P' -> "PERSID";
            case 'I' -> "INT";
            case 'L' -> "LONG";
            case 'S' -> "STRING";
            case 'V' -> "UNICODE";
            case 'F' -> "FLOAT";
            case 'p' -> "PUT";
            case 'g' -> "GET";
            case 0x8f -> "EMPTY_SET";
            case 0x90 -> "ADDITEMS";
            case 0x91 -> "FROZENSET";
            case 0x96 -> "BYTEARRAY8";
            case 0x97 -> "NEXT_BUFFER";
            case 0x98 -> "READONLY_BUFFER";
            default -> "unknown";
        };
        return printable + String.format("0x%02x (%s)", op, name);
    }
}
