package dev.rfsq4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rfsq4j.Python;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The PyTorch reference's own checks (bench/pytorch/test_train_step.py: gradcheck, finite differences, parameter
 * count, recomputations), so that {@link TorchCrossCheckTest} compares against a reference that is itself tested.
 */
class TorchReferenceSelfTest {
    @Test
    void referencePassesItsOwnTests() throws Exception {
        Assumptions.assumeTrue(Python.has("torch", "numpy"),
                "no " + Python.EXECUTABLE + " with torch and numpy (apt-get install python3-torch, or set RFSQ_PYTHON):"
                        + " PyTorch reference self-test skipped");
        Python.Result r = Python.run("import sys, unittest; sys.path.insert(0, sys.argv[1]);"
                + " result = unittest.main(module='test_train_step', argv=['x'], exit=False).result;"
                + " sys.exit(0 if result.wasSuccessful() and result.testsRun >= 10 else 1)", Python.ORACLES.toString());
        assertEquals(0, r.exit(), r.output());
    }
}
