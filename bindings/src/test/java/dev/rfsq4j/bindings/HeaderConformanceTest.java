package dev.rfsq4j.bindings;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rfsq4j.bindings.testing.rfsq_testing_h;
import java.io.IOException;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bindings match their headers, both ways: rfsq_h matches native/include/rfsq.h (or the header named by
 * -Drfsq.header) in functions, constants and struct layouts; rfsq_testing_h, the test-jar's bindings of the entry
 * points only tests call, matches native/include/rfsq_testing.h (or -Drfsq.testing.header). Regenerate the
 * bindings (bindings/jextract.sh, or by hand in the same shape) whenever this fails after a header change.
 */
final class HeaderConformanceTest {

    private static final String SUFFIXES = "\\$(descriptor|handle|address)$";
    private static RfsqHeader header;
    private static RfsqHeader testingHeader;

    /** A header and the header class jextract makes of it. */
    record Bound(RfsqHeader header, Class<?> bindings) {
        String name(String member) {
            return bindings.getSimpleName() + "." + member;
        }

        @Override
        public String toString() {
            return header.file().getFileName() + " -> " + bindings.getSimpleName();
        }
    }

    @BeforeAll
    static void readHeaders() throws IOException {
        header = RfsqHeader.read(Path.of(System.getProperty("rfsq.header", "../native/include/rfsq.h")));
        testingHeader = RfsqHeader.read(Path.of(System.getProperty("rfsq.testing.header",
                "../native/include/rfsq_testing.h")));
    }

    static Stream<Bound> bound() {
        return Stream.of(new Bound(header, rfsq_h.class), new Bound(testingHeader, rfsq_testing_h.class));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bound")
    void cLayoutsAreJextracts(Bound b) throws Throwable {
        Map<String, ValueLayout> expected = Map.of("C_CHAR", ValueLayout.JAVA_BYTE, "C_SHORT", ValueLayout.JAVA_SHORT,
                "C_INT", ValueLayout.JAVA_INT, "C_LONG", ValueLayout.JAVA_LONG, "C_LONG_LONG", ValueLayout.JAVA_LONG,
                "C_FLOAT", ValueLayout.JAVA_FLOAT, "C_DOUBLE", ValueLayout.JAVA_DOUBLE);
        for (var e : expected.entrySet()) {
            assertEquals(e.getValue(), b.bindings().getField(e.getKey()).get(null), b.name(e.getKey()));
        }
        var pointer = (AddressLayout) b.bindings().getField("C_POINTER").get(null);
        assertEquals(ValueLayout.ADDRESS, pointer.withoutTargetLayout(), b.name("C_POINTER"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bound")
    void everyHeaderFunctionHasAMethodWithJextractsJavaTypes(Bound b) {
        assertAll(b.header().functions().values().stream().map(f -> (Executable) () -> {
            Method m = method(b, f.name());
            assertEquals(expectedType(f), MethodType.methodType(m.getReturnType(), m.getParameterTypes()),
                    "Java types of " + b.name(f.name()) + " for `" + f.declaration() + "`");
            for (String suffix : List.of("$descriptor", "$handle", "$address")) {
                method(b, f.name() + suffix);
            }
        }));
    }

    /** Links every function, so it also proves that librfsq exports all of them. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("bound")
    void everyFunctionDescriptorMatchesTheCTypes(Bound b) {
        assertAll(b.header().functions().values().stream().map(f -> (Executable) () -> {
            var expected = f.returns().layout() == null
                    ? FunctionDescriptor.ofVoid(layouts(f))
                    : FunctionDescriptor.of(f.returns().layout(), layouts(f));
            var actual = (FunctionDescriptor) invoke(method(b, f.name() + "$descriptor"));
            assertEquals(expected, actual, "descriptor of " + b.name(f.name()) + " for `" + f.declaration() + "`");
            assertEquals(expectedType(f), actual.toMethodType(), "descriptor and method of " + b.name(f.name()));
        }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bound")
    void everyConstantHasAGetterWithItsValue(Bound b) {
        assertAll(b.header().constants().entrySet().stream().map(c -> (Executable) () -> {
            Method m = method(b, c.getKey());
            long value = c.getValue();
            Class<?> type = value == (int) value ? int.class : long.class;
            assertEquals(type, m.getReturnType(), "return type of " + b.name(c.getKey()) + "()");
            assertEquals(value, ((Number) invoke(m)).longValue(), b.name(c.getKey()) + "()");
        }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bound")
    void bindingsHaveNothingTheHeaderDoesNotDeclare(Bound b) {
        var extra = new TreeSet<String>();
        for (Method m : b.bindings().getDeclaredMethods()) {
            String base = m.getName().replaceFirst(SUFFIXES, "");
            if (Modifier.isPublic(m.getModifiers()) && !b.header().functions().containsKey(base)
                    && !b.header().constants().containsKey(base)) {
                extra.add(m.getName() + "()");
            }
        }
        for (Class<?> c : b.bindings().getDeclaredClasses()) {
            if (!b.header().functions().containsKey(c.getSimpleName())) {
                extra.add("class " + c.getSimpleName());
            }
        }
        assertTrue(extra.isEmpty(), b.bindings().getSimpleName() + " binds what " + b.header().file()
                + " does not declare: " + extra);
    }

    /** rfsq_testing.h adds entry points only: its types and constants are rfsq.h's, and no function is in both. */
    @Test
    void testingHeaderOnlyAddsFunctions() {
        assertEquals(Map.of(), testingHeader.structs(), "structs of " + testingHeader.file() + " (define them in rfsq.h)");
        assertEquals(Map.of(), testingHeader.constants(), "constants of " + testingHeader.file() + " (define them in rfsq.h)");
        var both = new TreeSet<>(testingHeader.functions().keySet());
        both.retainAll(header.functions().keySet());
        assertTrue(both.isEmpty(), "declared in both " + header.file() + " and " + testingHeader.file() + ": " + both);
        assertTrue(!testingHeader.functions().isEmpty(), testingHeader.file() + " declares no function");
    }

    @Test
    void structClassesAreTheHeadersStructs() throws Throwable {
        var classes = new TreeSet<String>();
        for (Class<?> c : structClasses()) {
            classes.add(c.getSimpleName());
        }
        assertEquals(new TreeSet<>(header.structs().keySet()), classes, "struct classes vs structs of " + header.file());
        assertAll(header.structs().entrySet().stream().map(s -> (Executable) () -> {
            Class<?> c = Class.forName(rfsq_h.class.getPackageName() + "." + s.getKey());
            var layout = (GroupLayout) invoke(c.getMethod("layout"));
            assertEquals(s.getValue(), layout, "layout of " + s.getKey());
            assertEquals(layout.byteSize(), invoke(c.getMethod("sizeof")), s.getKey() + ".sizeof()");
            c.getMethod("allocate", SegmentAllocator.class);
            for (MemoryLayout member : layout.memberLayouts()) {
                if (!(member instanceof PaddingLayout)) {
                    checkAccessors(c, layout, member);
                }
            }
        }));
    }

    /** The C compiler lays the structs out as the Java layouts say, member by member. */
    @Test
    void structLayoutsMatchTheCCompiler(@TempDir Path dir) throws Throwable {
        assumeTrue(Cc.available(), Cc.MISSING);
        var java = new TreeMap<String, Long>();
        var c = new StringBuilder("#include <stdalign.h>\n#include <stddef.h>\n#include <stdio.h>\n#include \""
                + header.file().toAbsolutePath() + "\"\nint main(void) {\n");
        Map<String, MemoryLayout> scalars = Map.of("int", rfsq_h.C_INT, "int32_t", rfsq_h.C_INT,
                "int64_t", rfsq_h.C_LONG, "long", rfsq_h.C_LONG, "float", rfsq_h.C_FLOAT, "double", rfsq_h.C_DOUBLE,
                "void *", rfsq_h.C_POINTER);
        scalars.forEach((type, layout) -> {
            print(c, java, "sizeof(" + type + ")", layout.byteSize());
            print(c, java, "alignof(" + type + ")", layout.byteAlignment());
        });
        for (Class<?> s : structClasses()) {
            var layout = (GroupLayout) invoke(s.getMethod("layout"));
            String t = s.getSimpleName();
            print(c, java, "sizeof(" + t + ")", layout.byteSize());
            print(c, java, "alignof(" + t + ")", layout.byteAlignment());
            for (MemoryLayout member : layout.memberLayouts()) {
                String name = member.name().orElse(null);
                if (name != null) {
                    long offset = layout.byteOffset(MemoryLayout.PathElement.groupElement(name));
                    print(c, java, "offsetof(" + t + ", " + name + ")", offset);
                    print(c, java, "sizeof(((" + t + " *)0)->" + name + ")", member.byteSize());
                }
            }
        }
        Files.writeString(dir.resolve("layouts.c"), c.append("    return 0;\n}\n"));
        Cc.run(dir, List.of("cc", "-std=c11", "-Wall", "-o", "layouts", "layouts.c"));
        var cc = new TreeMap<String, Long>();
        for (String line : Cc.run(dir, List.of(dir.resolve("layouts").toString())).split("\n")) {
            int eq = line.lastIndexOf('=');
            cc.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1)));
        }
        var differences = new TreeSet<String>();
        for (String key : java.keySet()) {
            if (!java.get(key).equals(cc.get(key))) {
                differences.add(key + ": Java " + java.get(key) + ", cc " + cc.get(key));
            }
        }
        assertTrue(differences.isEmpty(), "the Java layouts differ from cc's for " + header.file() + ": " + differences);
    }

    private static void print(StringBuilder c, Map<String, Long> java, String expression, long javaValue) {
        c.append("    printf(\"%s=%zu\\n\", \"").append(expression).append("\", (size_t) ").append(expression).append(");\n");
        java.put(expression, javaValue);
    }

    /** jextract's accessors for one struct member: $offset, and getter/setter by member kind. */
    private static void checkAccessors(Class<?> c, GroupLayout layout, MemoryLayout member) throws Throwable {
        String name = member.name().orElseThrow();
        long offset = layout.byteOffset(MemoryLayout.PathElement.groupElement(name));
        assertEquals(offset, invoke(c.getMethod(name + "$offset")), c.getSimpleName() + "." + name + "$offset()");
        assertEquals(member, invoke(c.getMethod(name + "$layout")), c.getSimpleName() + "." + name + "$layout()");
        switch (member) {
            case ValueLayout v -> {
                assertEquals(v.carrier(), c.getMethod(name, MemorySegment.class).getReturnType());
                c.getMethod(name, MemorySegment.class, v.carrier());
            }
            case SequenceLayout seq when seq.elementLayout() instanceof ValueLayout v -> {
                assertEquals(v.carrier(), c.getMethod(name, MemorySegment.class, long.class).getReturnType());
                c.getMethod(name, MemorySegment.class, long.class, v.carrier());
                c.getMethod(name, MemorySegment.class, MemorySegment.class);
            }
            default -> {
                assertEquals(MemorySegment.class, c.getMethod(name, MemorySegment.class).getReturnType());
                c.getMethod(name, MemorySegment.class, MemorySegment.class);
            }
        }
    }

    /** The classes of the bindings package that jextract made for structs: those with a static layout(). */
    private static List<Class<?>> structClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Path.of(rfsq_h.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String pkg = rfsq_h.class.getPackageName();
        List<Class<?>> structs = new ArrayList<>();
        try (Stream<Path> files = Files.list(classes.resolve(pkg.replace('.', '/')))) {
            for (Path f : files.sorted().toList()) {
                String file = f.getFileName().toString();
                if (file.endsWith(".class") && !file.contains("$")) {
                    Class<?> c = Class.forName(pkg + "." + file.substring(0, file.length() - 6));
                    if (Arrays.stream(c.getMethods()).anyMatch(m -> m.getName().equals("layout")
                            && Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 0)) {
                        structs.add(c);
                    }
                }
            }
        }
        return structs;
    }

    private static MethodType expectedType(RfsqHeader.Function f) {
        return MethodType.methodType(f.returns().carrier(),
                f.parameters().stream().map(RfsqHeader.CType::carrier).toArray(Class<?>[]::new));
    }

    private static MemoryLayout[] layouts(RfsqHeader.Function f) {
        return f.parameters().stream().map(RfsqHeader.CType::layout).toArray(MemoryLayout[]::new);
    }

    private static Method method(Bound b, String name) {
        var found = Arrays.stream(b.bindings().getMethods()).filter(m -> m.getName().equals(name)).toList();
        assertEquals(1, found.size(), b.bindings().getSimpleName() + " must have exactly one public method " + name);
        assertTrue(Modifier.isStatic(found.getFirst().getModifiers()), b.name(name) + " must be static");
        return found.getFirst();
    }

    /** Calls a static method; rethrows what it threw (a link error names the library and the symbol). */
    private static Object invoke(Method m) throws Throwable {
        try {
            return m.invoke(null);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
