package dev.rfsq4j;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Prints, after each test class, which of its cases were skipped and why (e.g. CUDA cases without a GPU), so a
 * skip is visible in the build output and not only in the XML reports. Registered for every class through
 * JUnit's extension autodetection (src/test/resources).
 */
public final class SkipReport implements TestWatcher, AfterAllCallback {
    /** class name -> reason -> skipped cases. */
    private static final Map<String, Map<String, List<String>>> SKIPPED = new ConcurrentHashMap<>();

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        record(context, cause.getMessage());
    }

    @Override
    public void testDisabled(ExtensionContext context, Optional<String> reason) {
        record(context, reason.orElse("disabled"));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Map<String, List<String>> skipped = SKIPPED.remove(context.getRequiredTestClass().getName());
        if (skipped != null) {
            skipped.forEach((reason, cases) -> System.out.println("SKIPPED " + cases.size() + " case(s) of "
                    + context.getRequiredTestClass().getSimpleName() + ": " + reason + " [" + String.join(", ", cases) + "]"));
        }
    }

    private static void record(ExtensionContext context, String reason) {
        String name = context.getTestMethod().map(m -> m.getName()).orElse("?") + " " + context.getDisplayName();
        SKIPPED.computeIfAbsent(context.getRequiredTestClass().getName(), k -> new ConcurrentHashMap<>())
                .computeIfAbsent(String.valueOf(reason), k -> new CopyOnWriteArrayList<>())
                .add(name);
    }
}
