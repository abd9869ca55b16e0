package dev.rfsq4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Which Python the cross-checks run: RFSQ_PYTHON when set and not blank, else the system's. */
class PythonTest {
    @Test
    void rfsqPythonChoosesTheInterpreter() {
        assertEquals("/usr/bin/python3", Python.executable(null));
        assertEquals("/usr/bin/python3", Python.executable("  "));
        assertEquals("/opt/torch/.venv/bin/python3", Python.executable(" /opt/torch/.venv/bin/python3 "));
    }
}
