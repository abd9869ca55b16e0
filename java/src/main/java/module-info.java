/**
 * rfsq4j: RFSQ and its baselines on fused native kernels, the reference VQ-VAE, training, the trained tokenizer and
 * the rfsq4j command line. Argument checks ({@code dev.rfsq4j.internal}), the quantizers' call helpers and the raw
 * bindings (module dev.rfsq4j.bindings) are not exported. Needs native access:
 * {@code --enable-native-access=dev.rfsq4j,dev.rfsq4j.bindings} on the module path (ALL-UNNAMED on the class path).
 */
module dev.rfsq4j {
    requires transitive java.desktop; // BufferedImage in the tokenizer's API; ImageIO for PNG and JPEG
    requires dev.rfsq4j.bindings;
    requires org.jfree.jfreechart; // the evaluation report's charts (an automatic module: JFreeChart's manifest name)

    exports dev.rfsq4j;
    exports dev.rfsq4j.cli;
    exports dev.rfsq4j.data;
    exports dev.rfsq4j.eval;
    exports dev.rfsq4j.io;
    exports dev.rfsq4j.nn;
    exports dev.rfsq4j.quant;
    exports dev.rfsq4j.report;
    exports dev.rfsq4j.tokens;
    exports dev.rfsq4j.train;
    exports dev.rfsq4j.vector;
}
