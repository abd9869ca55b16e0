package dev.rfsq4j.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Pieces of one-line error messages: text from a file cut to a readable length, and the reason an I/O call failed
 * (the JDK's exceptions for files often carry only the path, never the reason).
 */
public final class Messages {
    /** Longest piece of file-controlled text (a tensor name, a value) that a message quotes. */
    static final int MAX_QUOTED = 80;

    private Messages() {}

    /**
     * text for a one-line message: control characters escaped (a line break in a file's key must not break the
     * message), and when longer than max, its start and end around "...(N characters)...".
     */
    public static String clip(String text, int max) {
        String cut = cut(text, max);
        StringBuilder out = new StringBuilder(cut.length());
        cut.chars().forEach(c -> {
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(c < 0x20 || c == 0x7F || c == 0x2028 || c == 0x2029 || c == 0x85
                        ? String.format("\\u%04x", c) : String.valueOf((char) c));
            }
        });
        return out.toString();
    }

    /** A string from a file, JSON-quoted (control characters escaped) and clipped for a message. */
    public static String quote(String text) {
        return Json.quote(cut(text, MAX_QUOTED));
    }

    private static String cut(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int keep = Math.max(8, max - 24);
        return text.substring(0, keep * 2 / 3) + "...(" + text.length() + " characters)..."
                + text.substring(text.length() - keep / 3);
    }

    /** Why an I/O call failed, in words: "permission denied", "no such file or folder", "No space left on device". */
    public static String reason(IOException e) {
        return switch (e) {
            case AccessDeniedException a -> "permission denied";
            case NoSuchFileException n -> "no such file or folder";
            case NotDirectoryException n -> "not a folder";
            case FileAlreadyExistsException f -> "it already exists";
            case DirectoryNotEmptyException d -> "the folder is not empty";
            case FileSystemLoopException l -> "a loop of symbolic links";
            case FileSystemException f when f.getReason() != null -> f.getReason();
            case FileSystemException f -> f.getClass().getSimpleName();
            default -> e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
        };
    }

    /**
     * e if its message already starts with "FILE: " (this package's own errors do), else an IOException that says
     * "FILE: cannot ACTION: REASON".
     */
    public static IOException named(Path file, String action, IOException e) {
        if (e.getMessage() != null && e.getMessage().startsWith(file + ": ")) {
            return e;
        }
        return new IOException(file + ": cannot " + action + ": " + reason(e), e);
    }
}
