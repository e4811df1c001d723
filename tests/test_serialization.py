"""mlplab.save / mlplab.load: round trips, atomic writes, refusal of damaged, foreign and pickled files."""

from __future__ import annotations

import collections
import io
import json
import os
import pickle
import zipfile

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import mlplab
from mlplab.serialization import SerializationError, load, save


def same(a, b) -> bool:
    """Deep equality that also checks types, dtypes, shapes, bit patterns (NaN-safe) and key types."""
    if type(a) is not type(b):
        return False
    if isinstance(a, mlplab.Tensor):
        return a.requires_grad == b.requires_grad and same(a.numpy(), b.numpy())
    if isinstance(a, np.ndarray):
        return (
            a.dtype == b.dtype
            and a.shape == b.shape
            and np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes()
        )
    if isinstance(a, np.generic):
        return a.dtype == b.dtype and a.tobytes() == b.tobytes()
    if isinstance(a, float):
        return (np.isnan(a) and np.isnan(b)) or a == b
    if isinstance(a, dict):
        return (
            list(a.keys()) == list(b.keys())
            and all(type(k1) is type(k2) for k1, k2 in zip(a, b))
            and all(same(a[k], b[k]) for k in a)
        )
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def roundtrip(obj, tmp_path, name="obj.pt"):
    p = tmp_path / name
    save(obj, p)
    return load(p)


def make_state():
    """Shaped like a training checkpoint: model and optimiser state dicts, generator state, epoch."""
    g = mlplab.Generator().manual_seed(7)
    return {
        "model": collections.OrderedDict(
            [
                ("0.weight", mlplab.randn(50, 64)),
                ("0.bias", mlplab.zeros(50)),
                ("1.running_var", mlplab.ones(50, dtype=mlplab.float64)),
            ]
        ),
        "optimizer": {
            "state": {
                0: {"step": mlplab.tensor(3.0), "exp_avg": mlplab.zeros(50, 64)},
                1: {"step": mlplab.tensor(3.0), "exp_avg": mlplab.zeros(50)},
            },
            "param_groups": [
                {
                    "lr": 1e-3,
                    "betas": (0.9, 0.999),
                    "eps": 1e-8,
                    "weight_decay": 0,
                    "amsgrad": False,
                    "maximize": False,
                    "foreach": None,
                    "params": [0, 1],
                }
            ],
        },
        "scheduler": {"last_epoch": 4, "_last_lr": [0.0005], "milestones": {10: 1, 20: 1}},
        "rng": g.get_state(),
        "epoch": 5,
        "best": float("inf"),
        "name": "digits-64-50-10 ✓ 数字",
    }


# ---------------------------------------------------------------------------------------- round trips
def test_checkpoint_like_roundtrip(tmp_path):
    state = make_state()
    back = roundtrip(state, tmp_path)
    assert same(state, back)
    assert isinstance(back["model"], collections.OrderedDict)
    assert list(back["optimizer"]["state"]) == [0, 1]  # int keys stay ints
    assert back["optimizer"]["param_groups"][0]["betas"] == (0.9, 0.999)
    assert back["rng"]["state"]["state"] == state["rng"]["state"]["state"]  # 128-bit ints survive


def test_generator_state_roundtrip_reproduces_draws(tmp_path):
    g = mlplab.Generator().manual_seed(123)
    g.rng.random(17)  # move it somewhere in the middle of its stream
    st_ = roundtrip({"g": g.get_state()}, tmp_path)["g"]
    expected = g.rng.random(5)
    g2 = mlplab.Generator()
    g2.set_state(st_)
    assert np.array_equal(g2.rng.random(5), expected)


@pytest.mark.parametrize(
    "dtype", ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]
)
def test_tensor_and_array_dtypes_and_shapes(tmp_path, dtype):
    rng = np.random.default_rng(0)
    shapes = [(), (0,), (3,), (2, 0, 4), (2, 3, 4)]
    arrays = [np.asarray(rng.standard_normal(s) * 50).astype(dtype) for s in shapes]
    obj = {"tensors": [mlplab.from_numpy(a.copy()) for a in arrays], "arrays": arrays}
    back = roundtrip(obj, tmp_path)
    assert same(obj, back)
    for t, a in zip(back["tensors"], arrays):
        assert isinstance(t, mlplab.Tensor) and not t.requires_grad
        assert t.dtype == getattr(mlplab, dtype) and tuple(t.shape) == a.shape


def test_scalars_strings_and_special_values(tmp_path):
    obj = {
        "none": None,
        "t": True,
        "f": False,
        "i": -3,
        "big": 2**100,
        "x": 0.1,
        "neg0": -0.0,
        "nan": float("nan"),
        "inf": float("inf"),
        "ninf": float("-inf"),
        "s": "",
        "uni": 'héllo ✓ 数字 \n\t"quoted" {"t": "tensor"}',
        "bytes": b"\x00\xffab",
        "np_f32": np.float32(2.5),
        "np_i64": np.int64(-7),
        "np_bool": np.bool_(True),
        "dtype": mlplab.float64,
        "empty_list": [],
        "empty_tuple": (),
        "empty_dict": {},
        "nested": [[[]], ({},), {"a": [1, (2, [3.5])]}],
        5: "int key",
        -1: "negative int key",
        2.5: "float key",
        None: "none key",
        True: "bool key",
    }
    back = roundtrip(obj, tmp_path)
    assert same(obj, back)
    assert back["np_f32"].dtype == np.float32 and back["dtype"] is mlplab.float64
    assert str(np.copysign(1, back["neg0"])) == "-1.0"


def test_a_user_dict_that_looks_like_a_tag_is_still_a_dict(tmp_path):
    obj = {"t": "tensor", "a": 0, "k": [], "v": []}
    assert same(obj, roundtrip(obj, tmp_path))


def test_noncontiguous_and_fortran_arrays(tmp_path):
    a = np.arange(24, dtype=np.float32).reshape(4, 6)
    obj = {"T": a.T, "F": np.asfortranarray(a), "strided": a[::2, ::3], "t": mlplab.from_numpy(a.T)}
    back = roundtrip(obj, tmp_path)
    for k in ("T", "F", "strided"):
        assert np.array_equal(back[k], obj[k])
    assert np.array_equal(back["t"].numpy(), a.T)


def test_parameter_keeps_its_class_and_flag_and_shared_tensors_stay_shared(tmp_path):
    w = mlplab.Parameter(mlplab.randn(3, 2))
    t = mlplab.ones(2)
    back = roundtrip({"w": w, "a": t, "b": [t]}, tmp_path)
    assert isinstance(back["w"], mlplab.Parameter) and back["w"].requires_grad
    assert np.array_equal(back["w"].detach().numpy(), w.detach().numpy())
    assert back["a"] is back["b"][0]


def test_loaded_arrays_are_writable(tmp_path):
    back = roundtrip({"w": mlplab.zeros(3), "a": np.zeros(2)}, tmp_path)
    back["w"].numpy()[0] = 1.0
    back["a"][0] = 1.0


def test_pt_suffix_and_file_objects(tmp_path):
    p = tmp_path / "model.pt"
    save({"w": mlplab.ones(2)}, str(p))
    assert os.listdir(tmp_path) == ["model.pt"]  # no ".npz" appended, no temp file left
    assert zipfile.is_zipfile(p)
    buf = io.BytesIO()
    save({"w": mlplab.ones(2)}, buf)
    buf.seek(0)
    assert np.array_equal(load(buf)["w"].numpy(), np.ones(2, np.float32))
    with open(p, "rb") as fh:
        assert np.array_equal(load(fh, map_location="cpu", weights_only=True)["w"].numpy(), np.ones(2))


def test_torch_optimizer_state_dict_structure_survives(tmp_path):
    """A real torch Adam state dict, tensors converted to mlplab: every key, type and value is kept."""
    lin = torch.nn.Linear(4, 3)
    opt = torch.optim.Adam(lin.parameters(), lr=1e-3)
    lin(torch.randn(5, 4)).sum().backward()
    opt.step()

    def conv(x):
        if isinstance(x, torch.Tensor):
            return mlplab.from_numpy(x.detach().numpy().copy())
        if isinstance(x, dict):
            return {k: conv(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return type(x)(conv(v) for v in x)
        return x

    sd = conv(opt.state_dict())
    back = roundtrip(sd, tmp_path)
    assert same(sd, back)
    assert sorted(back["state"]) == [0, 1] and back["param_groups"][0]["params"] == [0, 1]


def test_existing_file_is_replaced(tmp_path):
    p = tmp_path / "ck.pt"
    save({"epoch": 1}, p)
    save({"epoch": 2}, p)
    assert load(p) == {"epoch": 2}
    assert os.listdir(tmp_path) == ["ck.pt"]


json_leaf = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.text(max_size=8)
    | st.floats(allow_nan=True, allow_infinity=True, width=64)
)
array_leaf = st.builds(
    lambda shape, dt, seed: np.asarray(np.random.default_rng(seed).standard_normal(shape) * 10).astype(dt),
    st.lists(st.integers(0, 3), max_size=3).map(tuple),
    st.sampled_from(["float32", "float64", "int64", "uint8", "bool"]),
    st.integers(0, 2**16),
)
leaf = json_leaf | array_leaf | array_leaf.map(mlplab.from_numpy)
tree = st.recursive(
    leaf,
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(children, max_size=3).map(tuple)
        | st.dictionaries(st.text(max_size=5) | st.integers(-5, 5), children, max_size=4)
    ),
    max_leaves=15,
)


@settings(max_examples=40, deadline=None)
@given(tree)
def test_random_trees_roundtrip(obj):
    buf = io.BytesIO()
    save(obj, buf)
    buf.seek(0)
    assert same(obj, load(buf))


# ---------------------------------------------------------------------------------------- unsupported objects
def test_unsupported_object_names_type_and_key_path(tmp_path):
    def fn():
        pass

    p = tmp_path / "x.pt"
    with pytest.raises(TypeError, match=r"obj\['model'\]\['fn'\]: cannot save object of type function"):
        save({"model": {"w": mlplab.ones(1), "fn": fn}}, p)
    with pytest.raises(TypeError, match=r"obj\['opt'\]\[3\]\[1\]: cannot save object of type set"):
        save({"opt": {3: [1, {2}]}}, p)
    with pytest.raises(TypeError, match=r"obj: .*dtype object"):
        save(np.array([1, "a"], dtype=object), p)
    with pytest.raises(TypeError, match=r"dict key of type tuple"):
        save({(1, 2): 3}, p)
    assert not p.exists() and os.listdir(tmp_path) == []  # nothing written


def test_module_gets_a_state_dict_hint(tmp_path):
    class Net:
        def state_dict(self):
            return {}

    with pytest.raises(TypeError, match=r"type Net \(save its state_dict\(\) instead\)"):
        save({"model": Net()}, tmp_path / "m.pt")


def test_circular_reference_is_refused(tmp_path):
    a: list = [1]
    a.append(a)
    with pytest.raises(ValueError, match=r"obj\[1\]: cannot save a circular reference"):
        save(a, tmp_path / "c.pt")


# ---------------------------------------------------------------------------------------- atomicity
def test_failure_mid_write_leaves_old_file_and_no_temp(tmp_path, monkeypatch):
    p = tmp_path / "ck.pt"
    save({"epoch": 1}, p)
    before = p.read_bytes()

    def broken_savez(fh, **kw):
        fh.write(b"PK\x03\x04 half a file")
        raise OSError("No space left on device")

    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(OSError, match="No space left"):
        save({"epoch": 2, "w": mlplab.ones(1000)}, p)
    assert os.listdir(tmp_path) == ["ck.pt"]
    assert p.read_bytes() == before


def test_interrupt_mid_write_leaves_no_file(tmp_path, monkeypatch):
    def interrupted(fh, **kw):
        fh.write(b"PK\x03\x04")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save({"epoch": 2}, tmp_path / "new.pt")
    assert os.listdir(tmp_path) == []


def test_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save({}, tmp_path / "no" / "such" / "dir.pt")


def test_saved_file_has_normal_permissions(tmp_path):
    p = tmp_path / "perm.pt"
    save({}, p)
    umask = os.umask(0)
    os.umask(umask)
    assert (p.stat().st_mode & 0o777) == (0o666 & ~umask)


# ---------------------------------------------------------------------------------------- damaged files
@pytest.fixture
def saved(tmp_path):
    p = tmp_path / "ck.pt"
    obj = {"w": mlplab.from_numpy(np.arange(40, dtype=np.float32)), "epoch": 3, "lr": [0.1, 0.01]}
    save(obj, p)
    return p, obj


def test_empty_file(tmp_path):
    p = tmp_path / "empty.pt"
    p.write_bytes(b"")
    with pytest.raises(SerializationError, match=rf"{p}: empty file .*truncated"):
        load(p)


def test_truncated_file_at_every_cut(saved):
    p, _ = saved
    data = p.read_bytes()
    for cut in range(1, len(data), max(1, len(data) // 60)):
        p.write_bytes(data[:cut])
        with pytest.raises(SerializationError, match=rf"^{p}: .*(truncated|corrupted)"):
            load(p)


def test_flipped_byte_in_array_data_is_a_checksum_mismatch(saved):
    p, _ = saved
    data = bytearray(p.read_bytes())
    pos = data.index(np.arange(40, dtype=np.float32).tobytes())  # the array's bytes inside the archive
    data[pos + 17] ^= 0x01
    p.write_bytes(bytes(data))
    with pytest.raises(SerializationError, match=rf"^{p}: checksum mismatch"):
        load(p)


def test_every_single_byte_flip_is_refused_or_harmless(saved):
    """Flip each byte in turn: load must refuse, or (zip metadata like timestamps) return the same object."""
    p, obj = saved
    data = p.read_bytes()
    refused = 0
    for i in range(len(data)):
        b = bytearray(data)
        b[i] ^= 0x20
        try:
            back = load(io.BytesIO(bytes(b)))
        except SerializationError:
            refused += 1
        else:
            assert same(back, obj), f"byte {i} flipped and a different object was loaded"
    assert refused > 0.8 * len(data)


def _rezip(path, replace):
    """Rewrite the archive with some entries replaced (valid zip, CRCs recomputed)."""
    with zipfile.ZipFile(path) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    entries.update(replace)
    with zipfile.ZipFile(path, "w") as zf:
        for n, d in entries.items():
            zf.writestr(n, d)


def _npy(a) -> bytes:
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=True)
    return buf.getvalue()


def test_altered_array_with_valid_zip_is_a_sha256_mismatch(saved):
    p, _ = saved
    altered = np.arange(40, dtype=np.float32)
    altered[5] = 99
    _rezip(p, {"a0.npy": _npy(altered)})
    with pytest.raises(SerializationError, match=r"checksum mismatch \(SHA-256"):
        load(p)


def test_altered_header_value_is_a_sha256_mismatch(saved):
    p, _ = saved
    with zipfile.ZipFile(p) as zf:
        hdr = json.loads(np.load(io.BytesIO(zf.read("__mlplab__.npy"))).tobytes())
    hdr["structure"]["v"][1] = 4  # epoch 3 -> 4
    raw = json.dumps(hdr).encode()
    _rezip(p, {"__mlplab__.npy": _npy(np.frombuffer(raw, dtype=np.uint8))})
    with pytest.raises(SerializationError, match="checksum mismatch"):
        load(p)


class _Evil:
    """Unpickling this would create a marker file: proof that code ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_pickled_entry_inside_is_refused_without_running_it(saved, tmp_path):
    p, _ = saved
    marker = tmp_path / "pwned"
    evil = np.array([_Evil(marker)], dtype=object)
    _rezip(p, {"evil.npy": _npy(evil)})
    with pytest.raises(SerializationError, match="unexpected entries"):
        load(p)
    # the same object array declared in the header as a regular entry
    with zipfile.ZipFile(p) as zf:
        hdr = json.loads(np.load(io.BytesIO(zf.read("__mlplab__.npy"))).tobytes())
    hdr["arrays"].append(["|O", [1]])
    raw = json.dumps(hdr).encode()
    with zipfile.ZipFile(p) as zf:
        entries = {n: zf.read(n) for n in zf.namelist() if n != "evil.npy"}
    entries["__mlplab__.npy"] = _npy(np.frombuffer(raw, dtype=np.uint8))
    entries["a1.npy"] = _npy(evil)
    with zipfile.ZipFile(p, "w") as zf:
        for n, d in entries.items():
            zf.writestr(n, d)
    with pytest.raises(SerializationError, match="pickle"):
        load(p)
    assert not marker.exists()


def test_pickle_and_torch_files_are_refused(tmp_path):
    marker = tmp_path / "pwned"
    pk = tmp_path / "evil.pkl"
    pk.write_bytes(pickle.dumps(_Evil(marker)))
    with pytest.raises(SerializationError, match="not an mlplab file: it is a pickle"):
        load(pk)
    tp = tmp_path / "torch.pt"
    torch.save({"w": torch.ones(2)}, tp)
    with pytest.raises(SerializationError, match="not an mlplab file: it is a PyTorch checkpoint"):
        load(tp)
    assert not marker.exists()


def test_foreign_files_are_not_mlplab_files(tmp_path):
    txt = tmp_path / "notes.txt"
    txt.write_text("hello")
    with pytest.raises(SerializationError, match=rf"^{txt}: not an mlplab file"):
        load(txt)
    npz = tmp_path / "plain.npz"
    np.savez(npz, x=np.ones(3))
    with pytest.raises(SerializationError, match="not an mlplab file"):
        load(npz)
    npy = tmp_path / "one.npy"
    np.save(npy, np.ones(3))
    with pytest.raises(SerializationError, match="single .npy array"):
        load(npy)
    buf = io.BytesIO(b"garbage")
    with pytest.raises(SerializationError, match="<file object>: not an mlplab file"):
        load(buf)


def test_newer_format_version_is_refused(saved):
    p, _ = saved
    with zipfile.ZipFile(p) as zf:
        hdr = json.loads(np.load(io.BytesIO(zf.read("__mlplab__.npy"))).tobytes())
    hdr["version"] = 99
    _rezip(p, {"__mlplab__.npy": _npy(np.frombuffer(json.dumps(hdr).encode(), dtype=np.uint8))})
    with pytest.raises(SerializationError, match="version 99"):
        load(p)


def test_serialization_error_is_a_value_error():
    assert issubclass(SerializationError, ValueError)
