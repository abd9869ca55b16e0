#!/usr/bin/env python3
"""Writes the FFM bindings of librfsq's headers in jextract 22's output shape, without jextract.

jextract is on no package registry (not Maven Central, Debian or npm), so this is bindings/jextract.sh's fallback
where it is not installed. It reads the plain-C subset that the headers keep to (one declaration per line):
  #define RFSQ_NAME <int>                 -> rfsq_h.RFSQ_NAME()
  typedef struct name { <members> } name; -> class name (members: int32_t/int64_t/float/double scalars, arrays of them
                                             with a literal or RFSQ_ macro size, and structs defined earlier)
  <type> rfsq_name(<params>);             -> rfsq_h.rfsq_name(...) and its $descriptor/$handle/$address
and writes, for each header of TARGETS, its header class and one class per struct:
  native/include/rfsq.h         -> rfsq_h and the structs, in the bindings jar (dev.rfsq4j.bindings)
  native/include/rfsq_testing.h -> rfsq_testing_h, the entry points only tests call, in the bindings module's
                                   test-jar (dev.rfsq4j.bindings.testing; another package than rfsq_h's, which the
                                   bindings module owns, so that the java module's tests can compile against it)
HeaderConformanceTest checks both against their headers, and the structs against the C compiler's layouts.

    python3 bindings/emit_bindings.py
"""
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent

# (header, package, header class, output directory)
TARGETS = [
    ("native/include/rfsq.h", "dev.rfsq4j.bindings", "rfsq_h", "bindings/src/main/java/dev/rfsq4j/bindings"),
    ("native/include/rfsq_testing.h", "dev.rfsq4j.bindings.testing", "rfsq_testing_h",
     "bindings/src/test/java/dev/rfsq4j/bindings/testing"),
]
BINDINGS_PACKAGE = TARGETS[0][1]

GENERATED = """// In jextract 22's output shape for {header}; regenerate with bindings/jextract.sh.
// HeaderConformanceTest checks this file against the header.

package {package};

import java.lang.invoke.*;
import java.lang.foreign.*;
import java.nio.ByteOrder;
import java.util.*;
import java.util.function.*;
import java.util.stream.*;

import static java.lang.foreign.ValueLayout.*;
import static java.lang.foreign.MemoryLayout.PathElement.*;
"""


def generated(header, package):
    text = GENERATED.format(header=header, package=package)
    if package != BINDINGS_PACKAGE:  # symbols resolve through RfsqLibrary, as rfsq_h's do
        text = text.replace("\nimport java.lang.invoke.*;", f"\nimport {BINDINGS_PACKAGE}.RfsqLibrary;\nimport java.lang.invoke.*;")
    return text


# C scalar type -> (Java type, rfsq_h layout constant, ValueLayout class, size in bytes)
SCALARS = {
    "int": ("int", "C_INT", "OfInt", 4),
    "int32_t": ("int", "C_INT", "OfInt", 4),
    "int64_t": ("long", "C_LONG", "OfLong", 8),
    "float": ("float", "C_FLOAT", "OfFloat", 4),
    "double": ("double", "C_DOUBLE", "OfDouble", 8),
}


def parse(header):
    src = re.sub(r"/\*.*?\*/", "", header, flags=re.S)
    defines = [(m[1], int(m[2].strip("()"))) for m in re.finditer(r"^#define\s+(RFSQ_\w+)\s+(\(?-?\d+\)?)\s*$", src, re.M)]
    structs = []
    for m in re.finditer(r"^typedef struct (\w+) \{(.*?)\} (\w+);", src, re.M | re.S):
        members = []
        for line in filter(None, (l.strip() for l in m[2].split(";"))):
            fm = re.fullmatch(r"(\w+)\s+(\w+)(?:\[(\w+)\])?", line)
            if not fm:
                sys.exit(f"emit_bindings.py: cannot read member `{line}` of struct {m[1]}")
            count = None if fm[3] is None else int(fm[3]) if fm[3].isdigit() else dict(defines)[fm[3]]
            members.append((fm[1], fm[2], count))
        structs.append((m[1], members))
    functions = []
    for m in re.finditer(r"^\s*(.+?)\b(rfsq_\w+)\s*\(([^)]*)\)\s*;\s*$", src, re.M):
        params = []
        if m[3].strip() != "void":
            for p in m[3].split(","):
                pm = re.fullmatch(r"(.*?)(\w+)", p.strip())
                params.append((pm[1].strip(), pm[2]))
        functions.append((m[1].strip(), m[2], params))
    return defines, structs, functions


def java_of(ctype):
    """(Java type, rfsq_h layout constant) of a parameter or return type."""
    if "*" in ctype:
        return "MemorySegment", "C_POINTER"
    t = ctype.replace("const", "").strip()
    return ("void", None) if t == "void" else SCALARS[t][:2]


def c_declaration(ret, name, params):
    """The declaration as jextract prints it in its javadoc snippets."""
    spaced = lambda t: t if t.endswith("*") else t + " "
    return f"{spaced(ret)}{name}({', '.join(spaced(t) + n for t, n in params)})"


def snippet(code, indent="     "):
    return f"{{@snippet lang=c :\n{indent}* {code}\n{indent}* }}"


# ---- header classes: rfsq_h.java, rfsq_testing_h.java ------------------------------------------------------

HEADER_CLASS = """
public class {cls} {{

    {cls}() {{
        // Should not be called directly
    }}

    static final boolean TRACE_DOWNCALLS = Boolean.getBoolean("jextract.trace.downcalls");

    static void traceDowncall(String name, Object... args) {{
         String traceArgs = Arrays.stream(args)
                       .map(Object::toString)
                       .collect(Collectors.joining(", "));
         System.out.printf("%s(%s)\\n", name, traceArgs);
    }}

    static MemorySegment findOrThrow(String symbol) {{
        return SYMBOL_LOOKUP.find(symbol)
            .orElseThrow(() -> RfsqLibrary.unresolved(symbol));
    }}

    // Loads librfsq on the first symbol lookup, not when a constant is read.
    static final SymbolLookup SYMBOL_LOOKUP = RfsqLibrary::find;

    public static final ValueLayout.OfBoolean C_BOOL = ValueLayout.JAVA_BOOLEAN;
    public static final ValueLayout.OfByte C_CHAR = ValueLayout.JAVA_BYTE;
    public static final ValueLayout.OfShort C_SHORT = ValueLayout.JAVA_SHORT;
    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfLong C_LONG_LONG = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfFloat C_FLOAT = ValueLayout.JAVA_FLOAT;
    public static final ValueLayout.OfDouble C_DOUBLE = ValueLayout.JAVA_DOUBLE;
    public static final AddressLayout C_POINTER = ValueLayout.ADDRESS
            .withTargetLayout(MemoryLayout.sequenceLayout(java.lang.Long.MAX_VALUE, JAVA_BYTE));
    public static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
"""


def constant(name, value):
    return f"""    private static final int {name} = (int){value}L;
    /**
     * {snippet(f"#define {name} {value}")}
     */
    public static int {name}() {{
        return {name};
    }}
"""


def function(cls, ret, name, params):
    rj, rl = java_of(ret)
    layouts = ",\n            ".join(([f"{cls}.{rl}"] if rl else []) + [f"{cls}.{java_of(t)[1]}" for t, _ in params])
    descriptor = "FunctionDescriptor.of(" if rl else "FunctionDescriptor.ofVoid("
    snip = snippet(c_declaration(ret, name, params))
    names = ", ".join(n for _, n in params)
    trace_args = ", " + names if params else ""
    call = f"mh$.invokeExact({names})"
    return f"""
    private static class {name} {{
        public static final FunctionDescriptor DESC = {descriptor}
            {layouts}
        );

        public static final MemorySegment ADDR = {cls}.findOrThrow("{name}");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }}

    /**
     * Function descriptor for:
     * {snip}
     */
    public static FunctionDescriptor {name}$descriptor() {{
        return {name}.DESC;
    }}

    /**
     * Downcall method handle for:
     * {snip}
     */
    public static MethodHandle {name}$handle() {{
        return {name}.HANDLE;
    }}

    /**
     * Address for:
     * {snip}
     */
    public static MemorySegment {name}$address() {{
        return {name}.ADDR;
    }}

    /**
     * {snip}
     */
    public static {rj} {name}({", ".join(f"{java_of(t)[0]} {n}" for t, n in params)}) {{
        var mh$ = {name}.HANDLE;
        try {{
            if (TRACE_DOWNCALLS) {{
                traceDowncall("{name}"{trace_args});
            }}
            {f"return ({rj}){call};" if rj != "void" else f"{call};"}
        }} catch (Error | RuntimeException ex) {{
           throw ex;
        }} catch (Throwable ex$) {{
           throw new AssertionError("should not reach here", ex$);
        }}
    }}
"""


def header_class(header, package, cls, defines, functions):
    return (generated(header, package) + HEADER_CLASS.format(cls=cls) + "".join(constant(*d) for d in defines)
            + "".join(function(cls, *f) for f in functions) + "}\n")


# ---- one class per struct -----------------------------------------------------------------------------------

def accessors(name, decl, offset, layout_class):
    """The $layout and $offset accessors that every member has."""
    return f"""    private static final {layout_class} {name}$LAYOUT = ({layout_class})$LAYOUT.select(groupElement("{name}"));

    /**
     * Layout for field:
     * {snippet(decl)}
     */
    public static final {layout_class} {name}$layout() {{
        return {name}$LAYOUT;
    }}

    private static final long {name}$OFFSET = {offset};

    /**
     * Offset for field:
     * {snippet(decl)}
     */
    public static final long {name}$offset() {{
        return {name}$OFFSET;
    }}
"""


def slice_accessors(name, decl):
    """Getter and setter of an array or struct member, as a slice of the struct."""
    return f"""
    /**
     * Getter for field:
     * {snippet(decl)}
     */
    public static MemorySegment {name}(MemorySegment struct) {{
        return struct.asSlice({name}$OFFSET, {name}$LAYOUT.byteSize());
    }}

    /**
     * Setter for field:
     * {snippet(decl)}
     */
    public static void {name}(MemorySegment struct, MemorySegment fieldValue) {{
        MemorySegment.copy(fieldValue, 0L, struct, {name}$OFFSET, {name}$LAYOUT.byteSize());
    }}
"""


def scalar_member(name, decl, offset, ctype):
    java, _, layout_class, _ = SCALARS[ctype]
    return accessors(name, decl, offset, layout_class) + f"""
    /**
     * Getter for field:
     * {snippet(decl)}
     */
    public static {java} {name}(MemorySegment struct) {{
        return struct.get({name}$LAYOUT, {name}$OFFSET);
    }}

    /**
     * Setter for field:
     * {snippet(decl)}
     */
    public static void {name}(MemorySegment struct, {java} fieldValue) {{
        struct.set({name}$LAYOUT, {name}$OFFSET, fieldValue);
    }}
"""


def array_member(name, decl, offset, ctype, count):
    java = SCALARS[ctype][0]
    return accessors(name, decl, offset, "SequenceLayout") + slice_accessors(name, decl) + f"""
    private static long[] {name}$DIMS = {{ {count} }};

    /**
     * Dimensions for array field:
     * {snippet(decl)}
     */
    public static long[] {name}$dimensions() {{
        return {name}$DIMS;
    }}
    // Indexed from the field's offset (some jextract versions pass 0L here, which overwrites the fields before it).
    private static final VarHandle {name}$ELEM_HANDLE = {name}$LAYOUT.varHandle(sequenceElement());

    /**
     * Indexed getter for field:
     * {snippet(decl)}
     */
    public static {java} {name}(MemorySegment struct, long index0) {{
        return ({java}){name}$ELEM_HANDLE.get(struct, {name}$OFFSET, index0);
    }}

    /**
     * Indexed setter for field:
     * {snippet(decl)}
     */
    public static void {name}(MemorySegment struct, long index0, {java} fieldValue) {{
        {name}$ELEM_HANDLE.set(struct, {name}$OFFSET, index0, fieldValue);
    }}
"""


STRUCT_TAIL = """
    /**
     * Obtains a slice of {@code arrayParam} which selects the array element at {@code index}.
     * The returned segment has address {@code arrayParam.address() + index * layout().byteSize()}
     */
    public static MemorySegment asSlice(MemorySegment array, long index) {
        return array.asSlice(layout().byteSize() * index);
    }

    /**
     * The size (in bytes) of this struct
     */
    public static long sizeof() { return layout().byteSize(); }

    /**
     * Allocate a segment of size {@code layout().byteSize()} using {@code allocator}
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate(layout());
    }

    /**
     * Allocate an array of size {@code elementCount} using {@code allocator}.
     * The returned segment has size {@code elementCount * layout().byteSize()}.
     */
    public static MemorySegment allocateArray(long elementCount, SegmentAllocator allocator) {
        return allocator.allocate(MemoryLayout.sequenceLayout(elementCount, layout()));
    }

    /**
     * Reinterprets {@code addr} using target {@code arena} and {@code cleanupAction} (if any).
     * The returned segment has size {@code layout().byteSize()}
     */
    public static MemorySegment reinterpret(MemorySegment addr, Arena arena, Consumer<MemorySegment> cleanup) {
        return reinterpret(addr, 1, arena, cleanup);
    }

    /**
     * Reinterprets {@code addr} using target {@code arena} and {@code cleanupAction} (if any).
     * The returned segment has size {@code elementCount * layout().byteSize()}
     */
    public static MemorySegment reinterpret(MemorySegment addr, long elementCount, Arena arena, Consumer<MemorySegment> cleanup) {
        return addr.reinterpret(layout().byteSize() * elementCount, arena, cleanup);
    }
}
"""


def struct_class(name, members, known):
    """known: name -> (size, alignment) of the structs emitted so far."""
    offset, align, layouts, bodies, decls = 0, 1, [], [], []
    for ctype, field, count in members:
        decl = f"{ctype} {field}" + (f"[{count}]" if count is not None else "")
        decls.append(decl)
        if ctype in known:
            size, a = known[ctype]
            layout = f"{ctype}.layout().withName(\"{field}\")"
            body = accessors(field, decl, offset, "GroupLayout") + slice_accessors(field, decl)
        else:
            size = a = SCALARS[ctype][3]
            if count is None:
                layout = f"rfsq_h.{SCALARS[ctype][1]}.withName(\"{field}\")"
                body = scalar_member(field, decl, offset, ctype)
            else:
                size *= count
                layout = f"MemoryLayout.sequenceLayout({count}, rfsq_h.{SCALARS[ctype][1]}).withName(\"{field}\")"
                body = array_member(field, decl, offset, ctype, count)
        if offset % a:
            sys.exit(f"emit_bindings.py: {name}.{field} needs padding before it, which this emitter does not write")
        layouts.append(layout)
        bodies.append(body)
        offset += size
        align = max(align, a)
    if offset % align:
        sys.exit(f"emit_bindings.py: struct {name} needs tail padding, which this emitter does not write")
    known[name] = (offset, align)
    fields = "".join(f" *     {d};\n" for d in decls)
    layouts = ",\n        ".join(layouts)
    return generated("native/include/rfsq.h", BINDINGS_PACKAGE) + f"""
/**
 * {{@snippet lang=c :
 * struct {name} {{
{fields} * }}
 * }}
 */
public class {name} {{

    {name}() {{
        // Should not be called directly
    }}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
        {layouts}
    ).withName("{name}");

    /**
     * The layout of this struct
     */
    public static final GroupLayout layout() {{
        return $LAYOUT;
    }}

""" + "\n".join(bodies) + STRUCT_TAIL


def emit(header, package, cls, out):
    defines, structs, functions = parse((ROOT / header).read_text())
    if structs and package != BINDINGS_PACKAGE:
        sys.exit(f"emit_bindings.py: {header} defines structs; define them in native/include/rfsq.h")
    files = {f"{cls}.java": header_class(header, package, cls, defines, functions)}
    known = {}
    for name, members in structs:
        files[f"{name}.java"] = struct_class(name, members, known)
    (ROOT / out).mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (ROOT / out / name).write_text(text)
    print(f"emit_bindings.py: wrote {', '.join(files)} to {out} "
          f"({len(defines)} constants, {len(functions)} functions, {len(structs)} structs)", file=sys.stderr)


def main():
    if len(sys.argv) > 1:
        sys.exit(__doc__)
    for target in TARGETS:
        emit(*target)


if __name__ == "__main__":
    main()
