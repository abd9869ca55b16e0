"""A minimal, strict safetensors reader/writer (F32, F64, I32, I64) with no dependency beyond numpy and torch.

Format: 8-byte little-endian u64 header length N, N bytes of a JSON object {name: {"dtype", "shape",
"data_offsets": [begin, end]}, optional "__metadata__": {str: str}}, then the data, little-endian, C order.
Offsets are relative to the data section; the tensors must tile it exactly (no gaps, no overlap, no trailing bytes).
"""
import json
import struct

import numpy as np
import torch

DTYPES = {  # safetensors name -> (numpy little-endian dtype, torch dtype)
    "F32": (np.dtype("<f4"), torch.float32),
    "F64": (np.dtype("<f8"), torch.float64),
    "I32": (np.dtype("<i4"), torch.int32),
    "I64": (np.dtype("<i8"), torch.int64),
}
TORCH_TO_NAME = {t: name for name, (_, t) in DTYPES.items()}
MAX_HEADER = 100_000_000  # the reference implementation's limit


class SafetensorsError(ValueError):
    pass


def _no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise SafetensorsError(f"duplicate keys in header: {sorted(k for k in set(keys) if keys.count(k) > 1)}")
    return dict(pairs)


def load(path):
    """Returns (dict name -> torch.Tensor, metadata dict str -> str)."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise SafetensorsError(f"{path}: {len(raw)} bytes, too short for the header length")
    (n,) = struct.unpack("<Q", raw[:8])
    if n > MAX_HEADER or 8 + n > len(raw):
        raise SafetensorsError(f"{path}: header length {n} does not fit in a file of {len(raw)} bytes")
    try:
        header = json.loads(raw[8:8 + n].decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SafetensorsError(f"{path}: header is not valid UTF-8 JSON: {e}") from None
    if not isinstance(header, dict):
        raise SafetensorsError(f"{path}: header is not a JSON object")
    metadata = header.pop("__metadata__", {})
    if not isinstance(metadata, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                 for k, v in metadata.items()):
        raise SafetensorsError(f"{path}: __metadata__ must map strings to strings")
    data = memoryview(raw)[8 + n:]
    spans, tensors = [], {}
    for name, info in header.items():
        if not isinstance(info, dict) or set(info) != {"dtype", "shape", "data_offsets"}:
            raise SafetensorsError(f"{path}: {name!r}: entry needs exactly dtype, shape, data_offsets")
        dtype, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
        if dtype not in DTYPES:
            raise SafetensorsError(f"{path}: {name!r}: dtype {dtype!r} not one of {sorted(DTYPES)}")
        if not isinstance(shape, list) or not all(type(d) is int and d >= 0 for d in shape):
            raise SafetensorsError(f"{path}: {name!r}: bad shape {shape!r}")
        if (not isinstance(offsets, list) or len(offsets) != 2 or not all(type(o) is int for o in offsets)
                or not 0 <= offsets[0] <= offsets[1] <= len(data)):
            raise SafetensorsError(f"{path}: {name!r}: data_offsets {offsets!r} outside the {len(data)}-byte data")
        np_dtype, _ = DTYPES[dtype]
        count = int(np.prod(shape, dtype=np.int64))
        if offsets[1] - offsets[0] != count * np_dtype.itemsize:
            raise SafetensorsError(f"{path}: {name!r}: {offsets[1] - offsets[0]} bytes for {dtype} {shape}")
        spans.append((offsets[0], offsets[1], name))
        arr = np.frombuffer(data, dtype=np_dtype, count=count, offset=offsets[0])
        tensors[name] = torch.from_numpy(arr.astype(np_dtype.newbyteorder("="), copy=True)).reshape(shape)
    end = 0
    for begin, stop, name in sorted(spans):
        if begin != end:
            raise SafetensorsError(f"{path}: {name!r} starts at {begin}, expected {end} (gap or overlap)")
        end = stop
    if end != len(data):
        raise SafetensorsError(f"{path}: tensors cover {end} of {len(data)} data bytes")
    return tensors, metadata


def save(path, tensors, metadata=None):
    """Writes tensors (name -> torch.Tensor of float32/float64/int32/int64) in name order."""
    header, blobs, offset = {}, [], 0
    if metadata is not None:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise SafetensorsError("metadata must map strings to strings")
        header["__metadata__"] = dict(metadata)
    for name in sorted(tensors):
        t = tensors[name]
        if name == "__metadata__" or not isinstance(t, torch.Tensor) or t.dtype not in TORCH_TO_NAME:
            raise SafetensorsError(f"{name!r}: need a tensor of {sorted(map(str, TORCH_TO_NAME))}")
        dtype = TORCH_TO_NAME[t.dtype]
        blob = t.detach().cpu().contiguous().numpy().astype(DTYPES[dtype][0], copy=False).tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # pad so the data starts 8-byte aligned, as the reference writer does
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)
