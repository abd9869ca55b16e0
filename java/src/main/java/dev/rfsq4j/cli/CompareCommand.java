package dev.rfsq4j.cli;

import dev.rfsq4j.report.Comparison;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code rfsq4j compare RUN_DIR...}: evaluated runs side by side with the paper's table. */
final class CompareCommand implements Command {
    @Override
    public String name() {
        return "compare";
    }

    @Override
    public String summary() {
        return "evaluated runs side by side with the paper's table (Markdown and HTML)";
    }

    @Override
    public String usage() {
        return """
                usage: rfsq4j compare RUN_DIR... [--out DIR]

                Prints one Markdown table of the runs' evaluations (RUN_DIR/eval/eval.json, written by rfsq4j eval; an eval
                folder or an eval.json file also works) with the paper's rows (spec §7) for reference: bits per position,
                L1, LPIPS, PSNR (the paper's formula and 8-bit), SSIM, MS-SSIM, codebook usage per stage.
                  --out   also write DIR/compare.md and DIR/compare.html (with a chart of quality against bits)
                """;
    }

    @Override
    public void run(List<String> args, PrintStream out) throws Exception {
        List<String> options = new ArrayList<>();
        List<Path> runs = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("--")) {
                options.add(a);
                if (!a.contains("=") && i + 1 < args.size()) {
                    options.add(args.get(++i));
                }
            } else {
                runs.add(Path.of(a));
            }
        }
        Options o = Options.parse(name(), options, Set.of("out"));
        if (runs.isEmpty()) {
            throw o.usage("name at least one evaluated run folder");
        }
        Comparison comparison = Comparison.read(runs);
        out.print(comparison.markdown());
        if (o.has("out")) {
            Path page = comparison.write(Path.of(o.required("out")));
            out.println("wrote " + page + " and " + page.resolveSibling("compare.md"));
        }
    }
}
