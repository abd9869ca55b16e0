package dev.rfsq4j.train;

import dev.rfsq4j.Tensor;
import dev.rfsq4j.io.SafeTensors;
import dev.rfsq4j.nn.ParameterStore;
import dev.rfsq4j.nn.RfsqQuantizer;
import dev.rfsq4j.nn.VqVae;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

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

    /** The store's gradients under the parameter names. */
    public static Map<String, Entry> gradients(VqVae model) {
        return parameters(model.parameters(), model.parameters().grads());
    }

    /** Writes every entry of state into a safetensors writer. */
    public static SafeTensors.Writer addTo(SafeTensors.Writer writer, String prefix, Map<String, Entry> state) {
        state.forEach((name, e) -> writer.add(prefix + name, e.shape(), e.data()));
        return writer;
    }

    /**
     * Loads parameters and buffers from a file written by {@link #of} (or by PyTorch), strictly as PyTorch's
     * load_state_dict: every name present with its shape, and no other tensor.
     */
    public static void load(VqVae model, SafeTensors file) {
        ParameterStore store = model.parameters();
        Set<String> unexpected = new TreeSet<>(file.names());
        for (ParameterStore.Entry e : store.entries()) {
            unexpected.removeAll(e.name().equals(RfsqQuantizer.GAMMA_BETA) ? List.of(GAMMA, BETA) : List.of(e.name()));
        }
        unexpected.removeAll(model.buffers().keySet());
        if (!unexpected.isEmpty()) {
            throw new IllegalArgumentException("checkpoint holds tensors this model does not have: " + unexpected);
        }
        float[] values = new float[Math.toIntExact(store.count())];
        for (ParameterStore.Entry e : store.entries()) {
            float[] data;
            if (e.name().equals(RfsqQuantizer.GAMMA_BETA)) {
                long k = e.shape()[0], c = e.shape()[2];
                data = join(read(file, GAMMA, k, c), read(file, BETA, k, c), (int) k, (int) c);
            } else {
                data = read(file, e.name(), e.shape());
            }
            System.arraycopy(data, 0, values, (int) e.offset(), data.length);
        }
        store.values().copyFrom(values);
        model.buffers().forEach((name, t) -> t.copyFrom(read(file, name, t.shape())));
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

    private static float[] read(SafeTensors file, String name, long... shape) {
        if (!file.contains(name)) {
            throw new IllegalArgumentException("checkpoint has no tensor " + name);
        }
        if (!Arrays.equals(file.shape(name), shape)) {
            throw new IllegalArgumentException("checkpoint tensor " + name + " has shape " + Tensor.shapeString(file.shape(name))
                    + ", the model needs " + Tensor.shapeString(shape));
        }
        return file.floats(name);
    }
}
