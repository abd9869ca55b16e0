package dev.rfsq4j.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.text.DecimalFormat;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.labels.StandardXYItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.HorizontalAlignment;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The report's charts, drawn by JFreeChart in one house style and saved as PNGs at twice their CSS size. */
final class Charts {
    static final int WIDTH = 640;
    static final int HEIGHT = 360;
    private static final Color[] PALETTE = {new Color(0x4C72B0), new Color(0xDD8452), new Color(0x55A868),
            new Color(0xC44E52), new Color(0x8172B3), new Color(0x937860), new Color(0xDA8BC3), new Color(0x8C8C8C)};
    private static final Color GRID = new Color(0xE3E3E3);
    private static final Color INK = new Color(0x333333);
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 14);
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final Font TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    private Charts() {}

    /** A named series of (x, y) points. */
    record Line(String name, double[] x, double[] y) {}

    /** Writes chart as a PNG of 2 * (width x height) pixels (sharp on high-density screens at width x height). */
    static void save(JFreeChart chart, Path file, int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(2 * width, 2 * height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.scale(2, 2);
            chart.draw(g, new Rectangle2D.Double(0, 0, width, height));
        } finally {
            g.dispose();
        }
        ImageIO.write(image, "png", file.toFile());
    }

    /** Lines over a shared x axis, one panel per entry of panels (y-axis label to its lines), stacked. */
    static JFreeChart stacked(String title, String xLabel, Map<String, List<Line>> panels, boolean logFirst) {
        NumberAxis x = new NumberAxis(xLabel);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(x);
        plot.setGap(12);
        int i = 0;
        for (Map.Entry<String, List<Line>> panel : panels.entrySet()) {
            ValueAxis y = yAxis(panel.getKey(), i == 0 && logFirst);
            if (y instanceof NumberAxis n && panel.getValue().stream().allMatch(l -> max(l.y()) < 0.01)) {
                n.setNumberFormatOverride(new DecimalFormat("0.0E0")); // learning rates
            }
            XYPlot sub = xyPlot(panel.getValue(), null, y, false);
            sub.getRenderer().setSeriesPaint(0, PALETTE[i++ % PALETTE.length]);
            plot.add(sub, 1);
        }
        styleAxis(x);
        return chart(title, plot, false);
    }

    /** One panel of lines; markers: draw each point too; yLog: a logarithmic y axis; xMax > 0 fixes the x range. */
    static JFreeChart lines(String title, String xLabel, String yLabel, List<Line> lines, boolean markers, boolean yLog,
            boolean pointLabels, double xMax) {
        NumberAxis x = new NumberAxis(xLabel);
        if (xMax > 0) {
            x.setRange(0, xMax);
        }
        styleAxis(x);
        XYPlot plot = xyPlot(lines, x, yAxis(yLabel, yLog), markers);
        if (pointLabels) {
            XYLineAndShapeRenderer r = (XYLineAndShapeRenderer) plot.getRenderer();
            r.setDefaultItemLabelGenerator(new StandardXYItemLabelGenerator("k={1}") {
                @Override
                public String generateLabel(XYDataset dataset, int series, int item) {
                    return "k=" + (item + 1);
                }
            });
            r.setDefaultItemLabelsVisible(true);
            r.setDefaultItemLabelFont(TICK);
            r.setDefaultItemLabelPaint(INK);
            r.setDefaultPositiveItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE12, TextAnchor.BOTTOM_CENTER));
        }
        return chart(title, plot, lines.size() > 1 || !lines.get(0).name().isEmpty());
    }

    /** Grouped bars: values.get(series)[category]. */
    static JFreeChart bars(String title, String categoryLabel, String valueLabel, List<String> categories,
            Map<String, double[]> values, String labelFormat) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Map.Entry<String, double[]> e : values.entrySet()) {
            for (int i = 0; i < categories.size(); i++) {
                double v = e.getValue()[i];
                data.addValue(Double.isFinite(v) ? (Number) v : null, e.getKey(), categories.get(i)); // null: no bar
            }
        }
        CategoryAxis cat = new CategoryAxis(categoryLabel);
        cat.setLabelFont(LABEL);
        cat.setTickLabelFont(TICK);
        cat.setLabelPaint(INK);
        cat.setTickLabelPaint(INK);
        cat.setAxisLinePaint(GRID);
        cat.setTickMarksVisible(false);
        NumberAxis value = new NumberAxis(valueLabel);
        styleAxis(value);
        value.setUpperMargin(0.12);
        BarRenderer r = new BarRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        r.setItemMargin(0.05);
        r.setMaximumBarWidth(0.12);
        for (int s = 0; s < values.size(); s++) {
            r.setSeriesPaint(s, PALETTE[s % PALETTE.length]);
        }
        r.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", new DecimalFormat(labelFormat)));
        r.setDefaultItemLabelsVisible(true);
        r.setDefaultItemLabelFont(TICK);
        r.setDefaultItemLabelPaint(INK);
        CategoryPlot plot = new CategoryPlot(data, cat, value, r);
        plot.setOrientation(PlotOrientation.VERTICAL);
        stylePlot(plot);
        plot.setRangeGridlinePaint(GRID);
        plot.setDomainGridlinesVisible(false);
        return chart(title, plot, values.size() > 1);
    }

    private static XYPlot xyPlot(List<Line> lines, ValueAxis x, ValueAxis y, boolean markers) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Line line : lines) {
            XYSeries s = new XYSeries(line.name(), false, true);
            for (int i = 0; i < line.x().length; i++) {
                if (Double.isFinite(line.y()[i]) && (!(y instanceof LogAxis) || line.y()[i] > 0)) {
                    s.add(line.x()[i], line.y()[i]);
                }
            }
            data.addSeries(s);
        }
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, markers);
        for (int s = 0; s < lines.size(); s++) {
            r.setSeriesPaint(s, PALETTE[s % PALETTE.length]);
            r.setSeriesStroke(s, new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            r.setSeriesShape(s, new Ellipse2D.Double(-3.5, -3.5, 7, 7));
        }
        XYPlot plot = new XYPlot(data, x, y, r);
        stylePlot(plot);
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
        return plot;
    }

    private static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double d : v) {
            m = Math.max(m, Double.isFinite(d) ? d : m);
        }
        return m;
    }

    private static ValueAxis yAxis(String label, boolean log) {
        ValueAxis axis;
        if (log) {
            LogAxis l = new LogAxis(label);
            l.setBase(10);
            l.setSmallestValue(1e-12);
            l.setTickUnit(new NumberTickUnit(1)); // one tick per decade
            l.setMinorTickCount(9);
            l.setNumberFormatOverride(new DecimalFormat("0.####%"));
            axis = l;
        } else {
            NumberAxis n = new NumberAxis(label);
            n.setAutoRangeIncludesZero(false);
            axis = n;
        }
        styleAxis(axis);
        return axis;
    }

    private static void styleAxis(ValueAxis axis) {
        axis.setLabelFont(LABEL);
        axis.setTickLabelFont(TICK);
        axis.setLabelPaint(INK);
        axis.setTickLabelPaint(INK);
        axis.setAxisLinePaint(GRID);
        axis.setTickMarkPaint(GRID);
    }

    private static void stylePlot(Plot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setOutlineVisible(false);
        plot.setInsets(new RectangleInsets(4, 4, 4, 12));
    }

    private static JFreeChart chart(String title, Plot plot, boolean legend) {
        JFreeChart chart = new JFreeChart(title, TITLE, plot, legend);
        chart.setBackgroundPaint(Color.WHITE);
        chart.setPadding(new RectangleInsets(8, 8, 8, 8));
        TextTitle t = chart.getTitle();
        t.setPaint(INK);
        t.setHorizontalAlignment(HorizontalAlignment.LEFT);
        LegendTitle l = chart.getLegend();
        if (l != null) {
            l.setItemFont(TICK);
            l.setItemPaint(INK);
            l.setFrame(BlockBorder.NONE);
            l.setPosition(RectangleEdge.BOTTOM);
        }
        return chart;
    }
}
