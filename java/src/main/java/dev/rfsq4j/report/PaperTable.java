package dev.rfsq4j.report;

import java.util.List;

/** The paper's reported results (spec §7: ImageNet val, 128x128, the full recipe), with bits per position (spec §3). */
final class PaperTable {
    /** One row: the paper's name for the configuration, the matching preset, its figures. */
    record Row(String config, String preset, double bitsPerPosition, double l1, double lpips, double psnr) {}

    static final List<Row> ROWS = List.of(
            new Row("RFSQ-4×1024-LN", "rfsq-4x1024-ln", 40, 0.102, 0.100, 22.9),
            new Row("RFSQ-4×1024-Scale", "rfsq-4x1024-scale", 40, 0.103, 0.101, 22.9),
            new Row("RFSQ-4×1024-None", "rfsq-4x1024-none", 40, 0.113, 0.121, 22.2),
            new Row("RFSQ-2×2048-Scale", "rfsq-2x2048-scale", 22, 0.122, 0.152, 21.5),
            new Row("RFSQ-2×2048-LN", "rfsq-2x2048-ln", 22, 0.124, 0.148, 21.3),
            new Row("RFSQ-2×2048-None", "rfsq-2x2048-none", 22, 0.130, 0.159, 21.1),
            new Row("FSQ [8,8,8,8]", "fsq-4096", 12, 0.143, 0.182, 20.3),
            new Row("LFQ 4096", "lfq-4096", 12, 0.241, 0.361, 16.0),
            new Row("VQ-EMA 4096", "vq-ema-4096", 12, 0.355, 0.489, 12.7));

    private PaperTable() {}
}
