package dev.rfsq4j.eval;

/**
 * The quality of one reconstruction, as {@link ImageMetrics#perImage} defines each figure (README, "Evaluation
 * metrics"): L1 in normalized units, PSNR on the 8-bit RGB images (dB, peak 255; +Infinity for identical images),
 * the paper-compatible PSNR 10 log10(4 / MSE) on the normalized tensors (dB), SSIM and MS-SSIM (in [-1, 1] and
 * [0, 1]; 1 for identical images).
 */
public record ImageScores(double l1, double psnr, double psnrPaper, double ssim, double msSsim) {}
