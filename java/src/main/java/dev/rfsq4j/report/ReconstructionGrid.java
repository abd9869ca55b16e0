package dev.rfsq4j.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** The report's picture grid: one row per sample image, its original, then its reconstruction per column. */
final class ReconstructionGrid {
    private static final int GAP = 6;
    private static final int HEADER = 24;

    private ReconstructionGrid() {}

    /**
     * Writes a PNG: originals[i] then reconstructions[i][j] for each row i, columns headed by labels (the first
     * for the originals). Pictures are CHW planes in [0, 1] of size x size.
     */
    static void write(Path file, List<float[]> originals, List<List<float[]>> reconstructions, List<String> labels, int size)
            throws IOException {
        int rows = originals.size(), cols = labels.size();
        int width = cols * size + (cols + 1) * GAP, height = HEADER + rows * size + (rows + 1) * GAP;
        BufferedImage grid = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, size >= 96 ? 13 : 10));
            g.setColor(new Color(0x33, 0x33, 0x33));
            FontMetrics fm = g.getFontMetrics();
            for (int c = 0; c < cols; c++) {
                String label = fit(labels.get(c), fm, size);
                int x = GAP + c * (size + GAP) + (size - fm.stringWidth(label)) / 2;
                g.drawString(label, x, HEADER - 6);
            }
            for (int r = 0; r < rows; r++) {
                int y = HEADER + GAP + r * (size + GAP);
                g.drawImage(picture(originals.get(r), size), GAP, y, null);
                List<float[]> row = reconstructions.get(r);
                for (int c = 0; c < row.size(); c++) {
                    g.drawImage(picture(row.get(c), size), GAP + (c + 1) * (size + GAP), y, null);
                }
            }
        } finally {
            g.dispose();
        }
        ImageIO.write(grid, "png", file.toFile());
    }

    private static String fit(String label, FontMetrics fm, int width) {
        for (int n = label.length(); n > 1; n--) {
            String s = n == label.length() ? label : label.substring(0, n) + "…";
            if (fm.stringWidth(s) <= width) {
                return s;
            }
        }
        return label.substring(0, 1);
    }

    /** CHW planes in [0, 1] as an RGB picture (rounded to 8 bits). */
    static BufferedImage picture(float[] chw, int size) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        int plane = size * size;
        for (int p = 0; p < plane; p++) {
            int r = Math.round(chw[p] * 255), gr = Math.round(chw[plane + p] * 255), b = Math.round(chw[2 * plane + p] * 255);
            img.setRGB(p % size, p / size, r << 16 | gr << 8 | b);
        }
        return img;
    }
}
