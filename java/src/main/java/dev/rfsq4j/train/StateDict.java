package dev.rfsq4j.train;

import dev.rfsq4j.Tensor;
import dev.rfsq4j.io.Messages;
import dev.rfsq4j.io.SafeTensors;
import dev.rfsq4j.nn.ParameterStore;
import dev.rfsq4j.nn.RfsqQuantizer;
import dev.rfsq4j.nn.VqVae;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A model's state as PyTorch's state_dict of the reference model names and shapes it: parameters ({@code
 * encoder.0.weight} ...) and buffers ({@code quantizer.running_stats} ...). The one layout difference, RFSQ's
 * layernorm parameters (K,2,C) in rfsq.h's order, is split into {@code quantizer.gamma} and {@code quantizer.beta}
 * (K,C) here and joined back on load.
 */
public final class StateDict {
    /** A host copy of one tensor. */
    public record Entry(long[] shape, float[] data) {}

    private static final String GAMMA = "quantizer.gamma";
    private static final String BETA = "quantizer.beta";

    private StateDict() {}

    /** Parameters and buffers, in state_dict order. */
    public static Map<String, Entry> of(VqVae model) {
        Map<String, Entry> state = parameters(model.parameters(), model.parameters().values());
        model.buffers().forEach((name, t) -> state.put(name, new Entry(t.shape(), t.toFloatArray())));
        return state;
    }

    /** The store's gradients under the parameter names (for the cross-check against PyTorch's). */
    static Map<String, Entry> gradients(VqVae model) {
        return parameters(model.parameters(), model.parameters().grads());
    }

    /** Writes every entry of state into a safetensors writer. */
    public static SafeTensors.Writer addTo(SafeTensors.Writer writer, String prefix, Map<String, Entry> state) {
        state.forEach((name, e) -> writer.add(prefix + name, e.shape(), e.data()));
        return writer;
    }

    /**
     * Loads parameters and buffers from a file written by {@link #of} (or by PyTorch), strictly as PyTorch's
     * load_state_dict: every name present with its shape, and no other tensor. Names, dtypes and shapes are all
     * checked before any data is read; then every value must be finite (and statistics in range), so a damaged
     * checkpoint is refused naming the file and the tensor instead of training on as NaN.
     */
    public static void load(VqVae model, SafeTensors file) {
        ParameterStore store = model.parameters();
        Map<String, long[]> expected = new LinkedHashMap<>();
        for (ParameterStore.Entry e : store.entries()) {
            if (e.name().equals(RfsqQuantizer.GAMMA_BETA)) {
                long[] kc = {e.shape()[0], e.shape()[2]};
                expected.put(GAMMA, kc);
                expected.put(BETA, kc);
            } else {
                expected.put(e.name(), e.shape());
            }
        }
        model.buffers().forEach((name, t) -> expected.put(name, t.shape()));
        checkLayout(file, expected);

        float[] values = new float[Math.toIntExact(store.count())];
        for (ParameterStore.Entry e : store.entries()) {
            float[] data;
            if (e.name().equals(RfsqQuantizer.GAMMA_BETA)) {
                long k = e.shape()[0], c = e.shape()[2];
                data = join(read(file, GAMMA), read(file, BETA), (int) k, (int) c);
            } else {
                data = read(file, e.name());
            }
            System.arraycopy(data, 0, values, (int) e.offset(), data.length);
        }
        Map<String, float[]> buffers = new LinkedHashMap<>();
        model.buffers().forEach((name, t) -> buffers.put(name, read(file, name)));
        checkStatistics(file, buffers);
        store.values().copyFrom(values);
        model.buffers().forEach((name, t) -> t.copyFrom(buffers.get(name)));
    }

    /**
     * Every expected name present as F32 of its shape, and no other tensor: the whole layout is checked from the
     * header, before any data is read.
     */
    static void checkLayout(SafeTensors file, Map<String, long[]> expected) {
        List<String> missing = expected.keySet().stream().filter(n -> !file.contains(n)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(file.file() + ": has no tensor " + names(missing)
                    + ", which this model needs (is it a checkpoint of this preset?)");
        }
        List<String> unexpected = file.names().stream().filter(n -> !expected.containsKey(n)).toList();
        if (!unexpected.isEmpty()) {
            throw new IllegalArgumentException(file.file() + ": holds tensors this model does not have: " + names(unexpected));
        }
        expected.forEach((name, shape) -> {
            if (!file.dtype(name).equals("F32")) {
                throw new IllegalArgumentException(file.file() + ": tensor " + name + " is " + file.dtype(name)
                        + ", the model needs F32");
            }
            if (!Arrays.equals(file.shape(name), shape)) {
                throw new IllegalArgumentException(file.file() + ": tensor " + name + " has shape "
                        + Messages.clip(Tensor.shapeString(file.shape(name)), 120) + ", the model needs "
                        + Tensor.shapeString(shape));
            }
        });
    }

    /**
     * Fails if data holds NaN or an infinity, naming the file, the tensor and the first bad element: a checkpoint
     * of a run that diverged, or a damaged file.
     */
    static void requireFinite(Path file, String tensor, float[] data) {
        requireFinite(file, tensor, data, "the file is damaged or its run diverged; use an earlier checkpoint");
    }

    /** Like {@link #requireFinite(Path, String, float[])}, with what to do in the message. */
    static void requireFinite(Path file, String tensor, float[] data, String advice) {
        int bad = 0, first = -1;
        for (int i = 0; i < data.length; i++) {
            if (!Float.isFinite(data[i])) {
                first = first < 0 ? i : first;
                bad++;
            }
        }
        if (bad > 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: tensor %s holds %s at element %d (%,d of"
                    + " its %,d values are not finite): %s", file, tensor, data[first], first, bad, data.length, advice));
        }
    }

    /** Buffers whose values have a range: sigma of running statistics > 0, VQ-EMA cluster sizes >= 0. */
    private static void checkStatistics(SafeTensors file, Map<String, float[]> buffers) {
        float[] running = buffers.get("quantizer.running_stats");
        if (running != null) {
            for (int i = 1; i < running.length; i += 2) { // (K,C,2) as (mu, sigma)
                if (!(running[i] > 0)) {
                    throw new IllegalArgumentException(file.file() + ": tensor quantizer.running_stats holds sigma "
                            + running[i] + " at element " + i + " (sigma must be > 0): the file is damaged");
                }
            }
        }
        float[] clusters = buffers.get("quantizer.cluster_size");
        if (clusters != null) {
            for (int i = 0; i < clusters.length; i++) {
                if (!(clusters[i] >= 0)) {
                    throw new IllegalArgumentException(file.file() + ": tensor quantizer.cluster_size holds "
                            + clusters[i] + " at element " + i + " (cluster sizes are >= 0): the file is damaged");
                }
            }
        }
    }

    /** Up to five names for a message, then how many more. */
    static String names(List<String> names) {
        String shown = names.stream().limit(5).map(Messages::quote).collect(Collectors.joining(", "));
        return names.size() <= 5 ? shown : shown + " and " + (names.size() - 5) + " more";
    }

    private static Map<String, Entry> parameters(ParameterStore store, Tensor flat) {
        float[] all = flat.toFloatArray();
        Map<String, Entry> state = new LinkedHashMap<>();
        for (ParameterStore.Entry e : store.entries()) {
            float[] data = Arrays.copyOfRange(all, (int) e.offset(), (int) (e.offset() + e.count()));
            if (e.name().equals(RfsqQuantizer.GAMMA_BETA)) {
                int k = (int) e.shape()[0], c = (int) e.shape()[2];
                state.put(GAMMA, new Entry(new long[] {k, c}, half(data, k, c, 0)));
                state.put(BETA, new Entry(new long[] {k, c}, half(data, k, c, 1)));
            } else {
                state.put(e.name(), new Entry(e.shape(), data));
            }
        }
        return state;
    }

    /** gamma (part 0) or beta (part 1) of a (K,2,C) array, as (K,C). */
    private static float[] half(float[] kc2, int k, int c, int part) {
        float[] out = new float[k * c];
        for (int s = 0; s < k; s++) {
            System.arraycopy(kc2, (s * 2 + part) * c, out, s * c, c);
        }
        return out;
    }

    private static float[] join(float[] gamma, float[] beta, int k, int c) {
        float[] out = new float[k * 2 * c];
        for (int s = 0; s < k; s++) {
            System.arraycopy(gamma, s * c, out, s * 2 * c, c);
            System.arraycopy(beta, s * c, out, (s * 2 + 1) * c, c);
        }
        return out;
    }

    /** A tensor whose name, dtype and shape {@link #checkLayout} checked, checked to be finite. */
    private static float[] read(SafeTensors file, String name) {
        float[] data = file.floats(name);
        requireFinite(file.file(), name, data);
        return data;
    }
}
