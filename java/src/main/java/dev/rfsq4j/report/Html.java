package dev.rfsq4j.report;

import java.util.Locale;

/** Small helpers for the report pages: escaping, number formatting, and the shared style sheet. */
final class Html {
    static final String STYLE = """
            body{font-family:-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Helvetica,Arial,sans-serif;color:#222;
              background:#f6f7f9;margin:0}
            main{max-width:1280px;margin:0 auto;padding:28px 32px 48px}
            h1{font-size:26px;margin:0 0 4px}
            h2{font-size:19px;margin:36px 0 10px;border-bottom:1px solid #dde1e6;padding-bottom:6px}
            .sub{color:#555;margin:0 0 18px;font-size:14px;line-height:1.5}
            .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:12px;margin:18px 0}
            .card{background:#fff;border:1px solid #e1e4e8;border-radius:8px;padding:12px 14px}
            .card .v{font-size:24px;font-weight:600;font-variant-numeric:tabular-nums}
            .card .k{font-size:12px;color:#666;margin-top:2px}
            figure{margin:12px 0;background:#fff;border:1px solid #e1e4e8;border-radius:8px;padding:10px;display:inline-block;
              max-width:100%;box-sizing:border-box}
            figure img{max-width:100%;height:auto;display:block}
            figcaption{font-size:13px;color:#555;margin-top:6px;max-width:640px}
            .row{display:flex;flex-wrap:wrap;gap:14px}
            .scroll{overflow-x:auto;max-width:100%}
            table{border-collapse:collapse;background:#fff;font-size:13px;font-variant-numeric:tabular-nums;margin:8px 0}
            th,td{border:1px solid #e1e4e8;padding:5px 9px;text-align:right;white-space:nowrap}
            tr.group td{background:#f0f2f5;color:#444;font-weight:600;text-align:left}
            th{background:#f0f2f5;font-weight:600}
            td:first-child,th:first-child{text-align:left}
            tr.ref td{color:#666;background:#fafafa}
            .note{font-size:13px;color:#555;line-height:1.5;max-width:860px}
            details{margin:10px 0}
            summary{cursor:pointer;font-size:14px}
            code{background:#eef0f3;padding:1px 4px;border-radius:3px;font-size:12px}
            """;

    private Html() {}

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** A number with the given decimals, or an en dash for NaN (not computed). */
    static String num(double v, int decimals) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + decimals + "f", v) : "–";
    }

    static String page(String title, String body) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" + escape(title)
                + "</title>\n<style>" + STYLE + "</style></head>\n<body><main>\n" + body + "</main></body></html>\n";
    }
}
