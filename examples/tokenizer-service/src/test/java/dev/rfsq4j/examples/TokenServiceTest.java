package dev.rfsq4j.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rfsq4j.Backend;
import dev.rfsq4j.cli.Main;
import dev.rfsq4j.tokens.TokenFile;
import dev.rfsq4j.tokens.Tokenizer;
import dev.rfsq4j.tokens.Tokens;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service end to end over loopback, as a project that depends on rfsq4j through Maven sees it: a checkpoint
 * written by {@code rfsq4j train}, one shared Tokenizer, 8 concurrent clients whose answers must equal the
 * single-threaded ones byte for byte.
 */
class TokenServiceTest {
    private static final int CLIENTS = 8, ROUNDS = 3, IMAGES = 6;

    @TempDir
    static Path dir;
    static Tokenizer tokenizer;
    static TokenService service;
    static HttpClient http;
    static List<byte[]> pngs = new ArrayList<>();

    @BeforeAll
    static void trainAndServe() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < IMAGES; i++) {
            BufferedImage img = new BufferedImage(24 + 4 * (i % 3), 24, BufferedImage.TYPE_INT_RGB);
            double fx = random.nextDouble(0.1, 0.6), fy = random.nextDouble(0.1, 0.6), phase = random.nextDouble(6);
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    int v = (int) (127.5 + 120 * Math.sin(fx * x + fy * y + phase));
                    img.setRGB(x, y, v << 16 | (255 - v) << 8 | (v + 64) % 256);
                }
            }
            var bytes = new ByteArrayOutputStream();
            ImageIO.write(img, "png", bytes);
            pngs.add(bytes.toByteArray());
            Files.write(images.resolve(i + ".png"), bytes.toByteArray());
        }
        Path run = dir.resolve("run");
        var err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"train", "--preset", "rfsq-2x2048-ln", "--data", images.toString(), "--out",
                run.toString(), "--steps", "2", "--batch", "2", "--image-size", "16", "--device", "cpu", "--lr", "1e-3",
                "--warmup-steps", "0"}, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        tokenizer = Tokenizer.load(run, Backend.CPU);
        service = TokenService.start(tokenizer, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1 << 20);
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (tokenizer != null) {
            tokenizer.close();
        }
    }

    private static HttpResponse<byte[]> post(String path, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(service.uri().resolve(path)).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void eightConcurrentClientsGetTheSingleThreadedAnswers() throws Exception {
        // The single-threaded answers, through the API directly.
        List<byte[]> tokenFiles = new ArrayList<>();
        List<byte[][]> decoded = new ArrayList<>();
        for (byte[] png : pngs) {
            Tokens t = tokenizer.encode(png);
            tokenFiles.add(TokenFile.write(t));
            decoded.add(new byte[][] {tokenizer.decode(t, 1).png(0), tokenizer.decode(t).png(0)});
        }
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                done.add(clients.submit(() -> {
                    int requests = 0;
                    for (int round = 0; round < ROUNDS; round++) {
                        for (int j = 0; j < IMAGES; j++) {
                            int i = (j + client + round) % IMAGES;
                            HttpResponse<byte[]> enc = post("/encode", pngs.get(i));
                            assertEquals(200, enc.statusCode(), new String(enc.body(), StandardCharsets.UTF_8));
                            assertEquals(TokenService.TOKENS, enc.headers().firstValue("Content-Type").orElse(""));
                            assertArrayEquals(tokenFiles.get(i), enc.body(), "tokens of image " + i);
                            int k = 1 + (i + round) % 2;
                            HttpResponse<byte[]> dec = post(k == 1 ? "/decode?stages=1" : "/decode", enc.body());
                            assertEquals(200, dec.statusCode(), new String(dec.body(), StandardCharsets.UTF_8));
                            assertArrayEquals(decoded.get(i)[k - 1], dec.body(), "PNG of image " + i + ", " + k + " stage(s)");
                            requests += 2;
                        }
                    }
                    return requests;
                }));
            }
            int total = 0;
            for (Future<Integer> f : done) {
                total += f.get();
            }
            assertEquals(CLIENTS * ROUNDS * IMAGES * 2, total);
        } finally {
            clients.shutdownNow();
        }
        BufferedImage back = ImageIO.read(new java.io.ByteArrayInputStream(decoded.get(0)[1]));
        assertEquals(16, back.getWidth());
    }

    @Test
    void badRequestsGetOneLineAndAStatus() throws Exception {
        HttpResponse<byte[]> garbage = post("/encode", "not an image".getBytes(StandardCharsets.UTF_8));
        assertEquals(400, garbage.statusCode());
        assertEquals("image 0: not a PNG or JPEG image\n", new String(garbage.body(), StandardCharsets.UTF_8));
        byte[] tokens = post("/encode", pngs.get(0)).body();
        HttpResponse<byte[]> cut = post("/decode", Arrays.copyOf(tokens, tokens.length - 1));
        assertEquals(400, cut.statusCode());
        assertTrue(new String(cut.body(), StandardCharsets.UTF_8).startsWith("truncated: the header needs"));
        HttpResponse<byte[]> k = post("/decode?stages=3", tokens);
        assertEquals(400, k.statusCode());
        assertTrue(new String(k.body(), StandardCharsets.UTF_8).startsWith("stages to decode must be 1..2"));
        HttpResponse<byte[]> big = post("/encode", new byte[(1 << 20) + 1]);
        assertEquals(413, big.statusCode());
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(service.uri().resolve("/encode")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, get.statusCode());
        HttpResponse<String> info = http.send(HttpRequest.newBuilder(service.uri().resolve("/info")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, info.statusCode());
        assertTrue(info.body().contains("\"preset\": \"rfsq-2x2048-ln\"") && info.body().contains("\"stages\": 2"), info.body());
    }
}
