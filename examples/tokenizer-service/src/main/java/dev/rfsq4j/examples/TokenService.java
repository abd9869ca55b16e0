package dev.rfsq4j.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.rfsq4j.Backend;
import dev.rfsq4j.tokens.Images;
import dev.rfsq4j.tokens.TokenFile;
import dev.rfsq4j.tokens.Tokenizer;
import dev.rfsq4j.tokens.Tokens;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small image tokenizer service on the JDK's HTTP server, over one shared {@link Tokenizer}:
 *
 * <pre>
 * POST /encode              body: a PNG or JPEG file      -> 200, a token file (application/x-rfsq-tokens)
 * POST /decode[?stages=k]   body: a token file (1 image)   -> 200, image/png (from the first k stages)
 * GET  /info                                               -> 200, the model as JSON
 * </pre>
 *
 * Bad input is a 400 with one line of text saying what is wrong; a body over the limit a 413. Requests run on
 * virtual threads; the tokenizer's workers (one native context each) do the native work, so any number of
 * requests can wait while as many run as there are workers. Nothing here holds device memory between requests:
 * each tokenizer call allocates and frees its own.
 */
public final class TokenService implements AutoCloseable {
    /** Media type of token files. */
    public static final String TOKENS = "application/x-rfsq-tokens";

    private final Tokenizer tokenizer;
    private final HttpServer server;
    private final ExecutorService requests;
    private final int maxBody;

    private TokenService(Tokenizer tokenizer, HttpServer server, ExecutorService requests, int maxBody) {
        this.tokenizer = tokenizer;
        this.server = server;
        this.requests = requests;
        this.maxBody = maxBody;
    }

    /** Serves tokenizer at address (port 0: any free port) with bodies up to maxBody bytes; the caller closes tokenizer. */
    public static TokenService start(Tokenizer tokenizer, InetSocketAddress address, int maxBody) throws IOException {
        HttpServer server = HttpServer.create(address, 64);
        ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();
        TokenService service = new TokenService(tokenizer, server, requests, maxBody);
        server.createContext("/encode", ex -> service.handle(ex, "POST", service::encode));
        server.createContext("/decode", ex -> service.handle(ex, "POST", service::decode));
        server.createContext("/info", ex -> service.handle(ex, "GET", service::info));
        server.setExecutor(requests);
        server.start();
        return service;
    }

    /** Where it listens (the port chosen when 0 was asked for). */
    public URI uri() {
        InetSocketAddress a = server.getAddress();
        return URI.create("http://" + a.getHostString() + ":" + a.getPort());
    }

    /** A response: status, media type, body. */
    private record Reply(int status, String type, byte[] body) {
        static Reply text(int status, String line) {
            return new Reply(status, "text/plain; charset=utf-8", (line + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    @FunctionalInterface
    private interface Handler {
        Reply handle(byte[] body, String query) throws IOException;
    }

    private void handle(HttpExchange ex, String method, Handler handler) throws IOException {
        try (ex) {
            respond(ex, reply(ex, method, handler));
        }
    }

    private Reply reply(HttpExchange ex, String method, Handler handler) {
        try {
            if (!ex.getRequestMethod().equals(method)) {
                ex.getResponseHeaders().set("Allow", method);
                return Reply.text(405, ex.getRequestURI().getPath() + " takes " + method);
            }
            byte[] body = read(ex.getRequestBody());
            return body == null ? Reply.text(413, "the body is larger than " + maxBody + " bytes")
                    : handler.handle(body, ex.getRequestURI().getRawQuery());
        } catch (IOException | IllegalArgumentException e) { // a bad image or token file, tokens of another model
            return Reply.text(400, oneLine(e));
        } catch (RuntimeException e) {
            return Reply.text(500, oneLine(e));
        }
    }

    private Reply encode(byte[] body, String query) throws IOException {
        if (query != null) {
            throw new IllegalArgumentException("/encode takes no parameters");
        }
        Tokens tokens = tokenizer.encode(body);
        return new Reply(200, TOKENS, TokenFile.write(tokens));
    }

    private Reply decode(byte[] body, String query) throws IOException {
        int stages = tokenizer.stages();
        if (query != null) {
            if (!query.matches("stages=\\d{1,2}")) {
                throw new IllegalArgumentException("/decode takes stages=k (1.." + tokenizer.stages() + "), got '" + query + "'");
            }
            stages = Integer.parseInt(query.substring(7));
        }
        Tokens tokens = TokenFile.parse(body);
        if (tokens.batch() != 1) {
            throw new IllegalArgumentException("one image per request, got a token file of " + tokens.batch());
        }
        Images images = tokenizer.decode(tokens, stages); // refuses tokens of another model, and a bad k
        return new Reply(200, "image/png", images.png(0));
    }

    private Reply info(byte[] body, String query) {
        String json = String.format(Locale.ROOT, "{\"preset\": \"%s\", \"quantizer\": \"%s\", \"image_size\": %d,"
                + " \"stages\": %d, \"codebook_size\": %d, \"config_hash\": \"%016x\", \"model_hash\": \"%016x\"}%n",
                tokenizer.config().preset(), tokenizer.config().quantizer(), tokenizer.imageSize(), tokenizer.stages(),
                tokenizer.codebookSize(), tokenizer.configHash(), tokenizer.modelHash());
        return new Reply(200, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    /** The body, or null when it is over the limit (reading stops there). */
    private byte[] read(InputStream in) throws IOException {
        byte[] body = in.readNBytes(maxBody + 1);
        return body.length > maxBody ? null : body;
    }

    private static void respond(HttpExchange ex, Reply reply) throws IOException {
        ex.getResponseHeaders().set("Content-Type", reply.type());
        ex.sendResponseHeaders(reply.status(), reply.body().length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(reply.body());
        }
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        return m.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** Stops listening (requests in flight get a second to finish) and ends the request threads. */
    @Override
    public void close() {
        server.stop(1);
        requests.close();
    }

    /** {@code TokenService CHECKPOINT [PORT [cpu|cuda|auto]]}: serves on 127.0.0.1 until killed. */
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: TokenService CHECKPOINT_OR_RUN_DIR [PORT [auto|cpu|cuda]]");
            System.exit(2);
        }
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 8080;
        Backend backend = args.length > 2 ? Backend.parse(args[2]) : Backend.AUTO;
        Tokenizer tokenizer = Tokenizer.load(Path.of(args[0]), backend);
        TokenService service = start(tokenizer, new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 32 << 20);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            tokenizer.close();
        }));
        System.out.println("serving " + tokenizer + " at " + service.uri());
    }
}
