package dev.rfsq4j.bindings;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The declarations of rfsq.h, read line by line (the header keeps one declaration per line). Any line this
 * reader does not understand is an error, so a new kind of declaration cannot slip past the conformance test.
 */
record RfsqHeader(Path file, Map<String, Long> constants, Map<String, Function> functions,
                  Map<String, MemoryLayout> structs) {

    /** One C parameter or return type with the Java carrier and layout jextract gives it. */
    record CType(Class<?> carrier, MemoryLayout layout) {}

    record Function(String name, CType returns, List<CType> parameters, String declaration) {}

    private static final Pattern DEFINE = Pattern.compile("#\\s*define\\s+(RFSQ_\\w+)(?:\\s+(.*))?");
    private static final Pattern INTEGER = Pattern.compile("\\(?\\s*(-?(?:0x[0-9a-fA-F]+|\\d+))[uUlL]*\\s*\\)?");
    private static final Pattern FUNCTION = Pattern.compile("(.+?)\\b(\\w+)\\s*\\(([^()]*)\\)\\s*;");
    private static final Pattern STRUCT = Pattern.compile("typedef\\s+struct\\s+(\\w+)\\s*\\{([^{}]*)}\\s*(\\w+)\\s*;");
    private static final Pattern OPAQUE = Pattern.compile("typedef\\s+struct\\s+(\\w+)\\s+(\\w+)\\s*;");
    private static final Pattern MEMBER = Pattern.compile("(.+?)\\b(\\w+)\\s*(?:\\[\\s*(\\w+)\\s*])?");
    private static final Pattern PARAMETER = Pattern.compile("(.+?)\\b(\\w+)");
    // Preprocessor and C++ guard lines that declare nothing.
    private static final Pattern NOTHING = Pattern.compile(
            "#\\s*(ifndef|ifdef|endif|include)\\b.*|extern\\s+\"C\"\\s*\\{|}");

    static RfsqHeader read(Path file) throws IOException {
        String text = Files.readString(file);
        // Blank out comments but keep line numbers for the messages.
        text = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL).matcher(text)
                .replaceAll(m -> m.group().replaceAll("[^\\n]", " "));
        Map<String, Long> constants = new LinkedHashMap<>();
        Map<String, Function> functions = new LinkedHashMap<>();
        Map<String, MemoryLayout> structs = new LinkedHashMap<>();

        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher m = DEFINE.matcher(lines[i].strip());
            if (m.matches() && m.group(2) != null) { // a define without a value is the include guard
                Matcher value = INTEGER.matcher(m.group(2).strip());
                check(value.matches(), file + ":" + (i + 1) + ": #define " + m.group(1) + " must be an integer literal");
                constants.put(m.group(1), Long.decode(value.group(1)));
            }
        }
        // Struct bodies span lines: read them, then blank them out and read the rest line by line.
        Matcher struct = STRUCT.matcher(text);
        StringBuilder rest = new StringBuilder();
        while (struct.find()) {
            String tag = struct.group(1);
            check(tag.equals(struct.group(3)), file + ": typedef struct " + tag + " must be named " + tag
                    + " (jextract makes one class per struct, named by its tag)");
            structs.put(tag, struct(file, tag, struct.group(2), constants, structs));
            struct.appendReplacement(rest, Matcher.quoteReplacement(struct.group().replaceAll("[^\\n]", " ")));
        }
        struct.appendTail(rest);

        lines = rest.toString().split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            String where = file + ":" + (i + 1) + ": ";
            Matcher m;
            if (line.isEmpty() || NOTHING.matcher(line).matches() || DEFINE.matcher(line).matches()) {
                continue;
            }
            if ((m = OPAQUE.matcher(line)).matches()) {
                // An opaque handle type: jextract binds its pointers as MemorySegment and makes no class.
                check(m.group(1).equals(m.group(2)), where + "an opaque typedef keeps the tag name: " + line);
            } else if ((m = FUNCTION.matcher(line)).matches()) {
                functions.put(m.group(2), function(where, m, structs.keySet()));
            } else {
                throw new AssertionError(where + "the conformance test does not understand this line "
                        + "(keep rfsq.h to integer #defines, typedef structs and one function per line): " + line);
            }
        }
        return new RfsqHeader(file, constants, functions, structs);
    }

    private static Function function(String where, Matcher m, Set<String> structs) {
        String name = m.group(2);
        check(name.startsWith("rfsq_"), where + "exported functions are named rfsq_*: " + name);
        List<CType> parameters = new ArrayList<>();
        String list = m.group(3).strip();
        if (!list.equals("void")) {
            check(!list.isEmpty(), where + name + "() must be declared (void), as C requires");
            for (String p : list.split(",")) {
                Matcher pm = PARAMETER.matcher(p.strip());
                check(pm.matches(), where + "cannot read parameter '" + p + "' of " + name);
                parameters.add(type(where, pm.group(1), structs));
            }
        }
        CType returns = type(where, m.group(1), structs);
        return new Function(name, returns, parameters, m.group().strip());
    }

    /** jextract's mapping of C types on x86-64 Linux (LP64); every pointer is rfsq_h.C_POINTER. */
    private static CType type(String where, String c, Set<String> structs) {
        String t = c.replace("const", " ").replaceAll("\\s+", " ").strip();
        if (t.contains("*")) {
            return new CType(MemorySegment.class, rfsq_h.C_POINTER);
        }
        check(!structs.contains(t), where + "pass struct " + t + " by pointer, not by value");
        ValueLayout layout = switch (t) {
            case "char", "signed char", "unsigned char", "int8_t", "uint8_t" -> ValueLayout.JAVA_BYTE;
            case "short", "unsigned short", "int16_t", "uint16_t" -> ValueLayout.JAVA_SHORT;
            case "int", "unsigned", "unsigned int", "int32_t", "uint32_t" -> ValueLayout.JAVA_INT;
            case "long", "unsigned long", "long long", "unsigned long long", "int64_t", "uint64_t", "size_t" ->
                    ValueLayout.JAVA_LONG;
            case "float" -> ValueLayout.JAVA_FLOAT;
            case "double" -> ValueLayout.JAVA_DOUBLE;
            case "void" -> null;
            default -> throw new AssertionError(where + "no jextract mapping known for C type '" + t + "'");
        };
        return new CType(layout == null ? void.class : layout.carrier(), layout);
    }

    /** The layout jextract makes for a struct: members in order, padding for natural alignment. */
    private static MemoryLayout struct(Path file, String tag, String body, Map<String, Long> constants,
                                       Map<String, MemoryLayout> structs) {
        List<MemoryLayout> members = new ArrayList<>();
        long offset = 0;
        long align = 1;
        for (String decl : body.split(";")) {
            if (decl.isBlank()) {
                continue;
            }
            Matcher m = MEMBER.matcher(decl.strip());
            check(m.matches(), file + ": struct " + tag + ": cannot read member '" + decl.strip() + "'");
            String cType = m.group(1).strip().replaceFirst("^struct\\s+", "");
            String where = file + ": struct " + tag + "." + m.group(2) + ": ";
            MemoryLayout member;
            if (structs.containsKey(cType)) {
                check(m.group(3) == null, where + "arrays of structs are not supported");
                member = structs.get(cType);
            } else {
                CType t = type(where, cType, Set.of());
                check(t.layout() != null, where + "void member");
                member = t.layout();
                if (m.group(3) != null) {
                    String n = m.group(3);
                    long count = n.matches("\\d+") ? Long.parseLong(n) : constants.getOrDefault(n, -1L);
                    check(count > 0, where + "array size " + n + " is not a positive integer constant");
                    member = MemoryLayout.sequenceLayout(count, member);
                }
            }
            long a = member.byteAlignment();
            if (offset % a != 0) {
                members.add(MemoryLayout.paddingLayout(a - offset % a));
                offset += a - offset % a;
            }
            members.add(member.withName(m.group(2)));
            offset += member.byteSize();
            align = Math.max(align, a);
        }
        if (offset % align != 0) {
            members.add(MemoryLayout.paddingLayout(align - offset % align));
        }
        return MemoryLayout.structLayout(members.toArray(MemoryLayout[]::new)).withName(tag);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new AssertionError(message);
        }
    }
}
