# Throwaway emitter of jextract-shaped bindings for rfsq.h (jextract is not installable here).
import re, sys
hdr = open(sys.argv[1]).read()
out = sys.argv[2]
src = re.sub(r'/\*.*?\*/', '', hdr, flags=re.S)
defines = [(m.group(1), int(m.group(2).strip('()'))) for m in re.finditer(r'^#define\s+(RFSQ_\w+)\s+(\(?-?\d+\)?)\s*$', src, re.M)]
defmap = dict(defines)
funcs = []
for m in re.finditer(r'^\s*(.+?)\b(rfsq_\w+)\s*\(([^)]*)\)\s*;\s*$', src, re.M):
    ret, name, params = m.group(1).strip(), m.group(2), m.group(3).strip()
    ps = []
    if params != 'void':
        for p in params.split(','):
            p = p.strip()
            pm = re.match(r'(.*?)(\w+)$', p)
            ps.append((pm.group(1).strip(), pm.group(2)))
    funcs.append((ret, name, ps, m.group(0).strip().rstrip(';')))
def jt(ctype):
    if '*' in ctype: return 'MemorySegment', 'C_POINTER'
    t = ctype.replace('const', '').strip()
    return {'int': ('int', 'C_INT'), 'int32_t': ('int', 'C_INT'), 'int64_t': ('long', 'C_LONG'), 'float': ('float', 'C_FLOAT'), 'void': ('void', None)}[t]
def csig(ret, name, ps):
    # jextract prints the canonical declaration in its javadoc snippets
    r = ret if ret.endswith('*') else ret + ' '
    args = ', '.join((t if t.endswith('*') else t + ' ') + n for t, n in ps) if ps else ''
    return f'{r}{name}({args})'
IMPORTS = '''package dev.rfsq4j.bindings;

import java.lang.invoke.*;
import java.lang.foreign.*;
import java.nio.ByteOrder;
import java.util.*;
import java.util.function.*;
import java.util.stream.*;

import static java.lang.foreign.ValueLayout.*;
import static java.lang.foreign.MemoryLayout.PathElement.*;
'''
GEN = '// In jextract 22\'s output shape for native/include/rfsq.h; regenerate with bindings/jextract.sh.\n// HeaderConformanceTest checks this file against the header.\n\n'
o = [GEN + IMPORTS, '''
public class rfsq_h {

    rfsq_h() {
        // Should not be called directly
    }

    static final boolean TRACE_DOWNCALLS = Boolean.getBoolean("jextract.trace.downcalls");

    static void traceDowncall(String name, Object... args) {
         String traceArgs = Arrays.stream(args)
                       .map(Object::toString)
                       .collect(Collectors.joining(", "));
         System.out.printf("%s(%s)\\n", name, traceArgs);
    }

    static MemorySegment findOrThrow(String symbol) {
        return SYMBOL_LOOKUP.find(symbol)
            .orElseThrow(() -> RfsqLibrary.unresolved(symbol));
    }

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
''']
for n, v in defines:
    o.append(f'''    private static final int {n} = (int){v}L;
    /**
     * {{@snippet lang=c :
     * #define {n} {v}
     * }}
     */
    public static int {n}() {{
        return {n};
    }}
''')
for ret, name, ps, decl in funcs:
    rj, rl = jt(ret)
    lays = ([f'rfsq_h.{rl}'] if rl else []) + [f'rfsq_h.{jt(t)[1]}' for t, _ in ps]
    desc = 'FunctionDescriptor.of(' if rl else 'FunctionDescriptor.ofVoid('
    dl = ',\n            '.join(lays)
    sig = csig(ret, name, ps)
    snip = f'''{{@snippet lang=c :
     * {sig}
     * }}'''
    jparams = ', '.join(f'{jt(t)[0]} {n}' for t, n in ps)
    names = ', '.join(n for _, n in ps)
    trace = f'traceDowncall("{name}"' + (', ' + names if ps else '') + ');'
    call = f'mh$.invokeExact({names})'
    body = f'return ({rj}){call};' if rj != 'void' else f'{call};'
    o.append(f'''
    private static class {name} {{
        public static final FunctionDescriptor DESC = {desc}
            {dl}
        );

        public static final MemorySegment ADDR = rfsq_h.findOrThrow("{name}");

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
    public static {rj} {name}({jparams}) {{
        var mh$ = {name}.HANDLE;
        try {{
            if (TRACE_DOWNCALLS) {{
                {trace}
            }}
            {body}
        }} catch (Throwable ex$) {{
           throw new AssertionError("should not reach here", ex$);
        }}
    }}
''')
o.append('}\n')
open(f'{out}/rfsq_h.java', 'w').write(''.join(o))
