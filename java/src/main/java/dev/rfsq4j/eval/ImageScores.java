package dev.rfsq4j.eval;

/**
 * One image's reconstruction scores (spec §6): L1 in normalized units, PSNR on 8-bit RGB (peak 255), the paper's
 * PSNR 10 log10(4 / MSE) on normalized tensors, SSIM and MS-SSIM.
 */
public record ImageScores(double l1, double psnr, double psnrPaper, double ssim, double msSsim) {}
