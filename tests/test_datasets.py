"""mlplab.datasets: built-in data, splits as the notes make them, train-only standardisation, CSV input."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn import datasets as skd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import mlplab
from mlplab import datasets as D
from mlplab.utils.data import DataLoader

EXPECTED = {  # name: (n_samples, n_features, n_classes or None)
    "digits": (1797, 64, 10),
    "iris": (150, 4, 3),
    "wine": (178, 13, 3),
    "breast_cancer": (569, 30, 2),
    "diabetes": (442, 10, None),
    "moons": (1000, 2, 2),
    "circles": (1000, 2, 2),
    "blobs": (1000, 2, 3),
    "spiral": (1000, 2, 3),
    "xor": (1000, 2, 2),
    "gaussians": (1000, 2, 2),
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_builtin_shapes_classes_and_dtypes(name):
    n, d, k = EXPECTED[name]
    s = D.load(name)
    sizes = s.sizes()
    assert sum(sizes.values()) == n
    assert sizes["test"] == int(np.ceil(0.2 * n))
    assert sizes["val"] == int(np.ceil(0.1 * (n - sizes["test"])))
    assert s.n_features == d == len(s.feature_names)
    assert s.n_classes == k
    for split in ("train", "val", "test"):
        X, y = s.arrays(split)
        assert X.dtype == np.float32 and X.shape == (sizes[split], d)
        if k is None:
            assert s.task == "regression" and y.dtype == np.float32 and y.ndim == 1
        else:
            assert s.task == "classification" and y.dtype == np.int64
            assert set(np.unique(y).tolist()) == set(range(k))  # stratified: every class in every split
    if k is None:
        assert s.n_outputs == 1 and s.class_names is None and s.target_scaler is not None
    else:
        assert s.n_outputs == k and len(s.class_names) == k


def test_digits_test_split_is_the_notes_split():
    """Section 2.4: 20% stratified test split, 360 samples; same rows as sklearn's train_test_split."""
    X, y = skd.load_digits(return_X_y=True)
    _, X_te, _, y_te = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    s = D.load("digits", standardize=False)
    assert len(s.y_test) == 360
    np.testing.assert_array_equal(s.X_test, X_te.astype(np.float32))
    np.testing.assert_array_equal(s.y_test, y_te)
    assert np.bincount(s.y_test).tolist() == np.bincount(y_te).tolist()
    assert s.class_names == [str(i) for i in range(10)]


def test_validation_split_comes_from_the_training_part():
    X, y = skd.load_digits(return_X_y=True)
    X_tr, _, y_tr, _ = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    X_tr2, X_va, _, _ = train_test_split(X_tr, y_tr, test_size=0.1, stratify=y_tr, random_state=0)
    s = D.load("digits", standardize=False)
    np.testing.assert_array_equal(s.X_val, X_va.astype(np.float32))
    np.testing.assert_array_equal(s.X_train, X_tr2.astype(np.float32))
    no_val = D.load("digits", val_size=0, standardize=False)
    assert no_val.X_val.shape == (0, 64) and no_val.y_val.shape == (0,)
    np.testing.assert_array_equal(no_val.X_train, X_tr.astype(np.float32))
    np.testing.assert_array_equal(no_val.X_test, s.X_test)  # the test split does not depend on val_size


def test_standardisation_uses_training_statistics_only():
    raw = D.load("wine", standardize=False)
    s = D.load("wine")
    ref = StandardScaler().fit(raw.X_train.astype(np.float64))
    np.testing.assert_allclose(s.scaler.mean, ref.mean_, rtol=1e-6)
    np.testing.assert_allclose(s.scaler.std, ref.scale_, rtol=1e-6)
    for split in ("train", "val", "test"):
        want = ref.transform(raw.arrays(split)[0].astype(np.float64)).astype(np.float32)
        np.testing.assert_allclose(s.arrays(split)[0], want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(s.X_train.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(s.X_train.std(axis=0), 1, atol=1e-5)
    all_mean = np.concatenate([raw.X_train, raw.X_val, raw.X_test]).mean(axis=0)
    assert not np.allclose(s.scaler.mean, all_mean)  # not fitted on everything
    X, y = skd.load_wine(return_X_y=True)  # new data in its original float64 form: the same numbers exactly
    _, X_te, _, _ = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    np.testing.assert_array_equal(s.transform(X_te), s.X_test)


def test_constant_features_get_unit_std():
    s = D.load("digits")
    const = np.where(D.load("digits", standardize=False).X_train.std(axis=0) == 0)[0]
    assert const.size > 0  # digits has always-blank corner pixels
    assert np.all(s.scaler.std[const] == 1.0) and np.all(np.isfinite(s.X_test))


def test_standardizer_json_roundtrip_is_exact():
    s = D.load("iris")
    d = json.loads(json.dumps(s.scaler.to_dict()))
    back = D.Standardizer.from_dict(d)
    np.testing.assert_array_equal(back.mean, s.scaler.mean)
    np.testing.assert_array_equal(back.std, s.scaler.std)
    np.testing.assert_allclose(back.inverse_transform(back.transform(s.X_test)), s.X_test, atol=1e-5)
    meta = json.loads(json.dumps(s.meta()))
    assert meta["class_names"] == ["setosa", "versicolor", "virginica"]
    assert meta["sizes"] == {"train": 108, "val": 12, "test": 30}


def test_seed_reproduces_and_changes_the_split():
    a, b, c = D.load("iris", seed=0), D.load("iris", seed=0), D.load("iris", seed=1)
    np.testing.assert_array_equal(a.X_test, b.X_test)
    assert not np.array_equal(a.X_test, c.X_test)
    m1, m2 = D.load("moons", seed=0), D.load("moons", seed=1)
    assert not np.array_equal(m1.X_train, m2.X_train)


def test_tensors_and_dataset_feed_a_dataloader():
    s = D.load("iris")
    X, y = s.tensors("train")
    assert isinstance(X, mlplab.Tensor) and X.dtype == mlplab.float32 and y.dtype == mlplab.int64
    xb, yb = next(iter(DataLoader(s.dataset("test"), batch_size=8)))
    assert tuple(xb.shape) == (8, 4) and tuple(yb.shape) == (8,)
    with pytest.raises(ValueError, match="unknown split 'dev'; choose one of: train, val, test"):
        s.arrays("dev")


def test_synthetic_options_and_spiral():
    s = D.load("spiral", n_samples=300, n_classes=5, noise=0.0, val_size=0)
    assert s.n_classes == 5 and sum(s.sizes().values()) == 300
    X, y = D.make_spiral(10, 3, noise=0.0)
    assert np.bincount(y).tolist() == [4, 3, 3] and X.shape == (10, 2)
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[:4], np.linspace(0, 1, 4))  # radius grows along an arm
    X1, _ = D.make_spiral(100, seed=1)
    X2, _ = D.make_spiral(100, seed=1)
    np.testing.assert_array_equal(X1, X2)
    assert D.load("moons", n_samples=200).sizes()["test"] == 40
    with pytest.raises(TypeError, match="'moons' has no option factor; its options: n_samples, noise"):
        D.load("moons", factor=0.3)
    with pytest.raises(TypeError, match="takes no options"):
        D.load("digits", n_samples=5)


def test_unknown_names_list_the_choices():
    with pytest.raises(
        ValueError,
        match=r"unknown dataset 'mnist'; choose one of: digits, iris, wine, "
        r"breast_cancer, diabetes, moons, circles, blobs, spiral",
    ):
        D.load("mnist")
    with pytest.raises(ValueError, match="task 'clustering'; choose one of: classification, regression"):
        D.load("iris", task="clustering")
    with pytest.raises(ValueError, match="'diabetes' is a regression dataset"):
        D.load("diabetes", task="classification")
    with pytest.raises(ValueError, match=r"test_size must be a fraction in \(0, 1\), got 1.5"):
        D.load("iris", test_size=1.5)
    with pytest.raises(ValueError, match=r"val_size must be a fraction in \[0, 1\)"):
        D.load("iris", val_size=-0.1)
    assert D.names() == list(EXPECTED)


# ---------------------------------------------------------------------------------------- CSV
def write(tmp_path, text, name="data.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_csv_with_string_labels(tmp_path):
    rows = ["x1,x2,species"] + [
        f"{i},{i * 0.5},{'cat' if i % 3 == 0 else 'ant' if i % 3 == 1 else 'bee'}" for i in range(30)
    ]
    p = write(tmp_path, "\n".join(rows) + "\n")
    raw = D.load_csv(p, "species")
    assert raw.task == "classification" and raw.class_names == ["ant", "bee", "cat"]
    assert raw.feature_names == ["x1", "x2"] and raw.X.shape == (30, 2)
    assert raw.y[:4].tolist() == [2, 0, 1, 2]  # cat, ant, bee, cat -> sorted codes
    s = D.load(str(p), target="species")
    assert s.n_classes == 3 and sum(s.sizes().values()) == 30 and s.source == str(p)
    assert s.meta()["class_names"] == ["ant", "bee", "cat"] and s.meta()["target"] == "species"


def test_csv_integer_labels_and_task_inference(tmp_path):
    p = write(tmp_path, "a,label,b\n" + "".join(f"{i},{[3, 10, 7][i % 3]},{i % 5}\n" for i in range(30)))
    raw = D.load_csv(p, "label")
    assert raw.task == "classification" and raw.class_names == ["3", "7", "10"]  # numeric order
    assert raw.feature_names == ["a", "b"]
    assert raw.y[:3].tolist() == [0, 2, 1]
    reg = write(tmp_path, "x,y\n" + "".join(f"{i},{i * 1.5 + 0.25}\n" for i in range(20)), "reg.csv")
    r = D.load_csv(reg, "y")
    assert r.task == "regression" and r.y.dtype == np.float64 and r.class_names is None
    many = write(tmp_path, "x,y\n" + "".join(f"{i},{i * 7}\n" for i in range(40)), "many.csv")
    assert D.load_csv(many, "y").task == "regression"  # 40 distinct integers: a quantity, not labels
    assert D.load_csv(many, "y", task="classification").class_names[:3] == ["0", "7", "14"]
    s = D.load(str(reg), target="y")
    assert s.task == "regression" and s.y_train.dtype == np.float32


def test_csv_details_bom_quotes_blank_lines_delimiter(tmp_path):
    p = tmp_path / "bom.csv"
    p.write_bytes('\ufeff"x 1","x,2",y\n\n1, 2 ,a\n"3","4",b\n\n'.encode())
    raw = D.load_csv(p, "y")
    assert raw.feature_names == ["x 1", "x,2"] and raw.X.tolist() == [[1, 2], [3, 4]]
    semi = write(tmp_path, "x;y\n1;a\n2;b\n", "semi.csv")
    assert D.load_csv(semi, "y", delimiter=";").X.tolist() == [[1], [2]]


def test_csv_missing_target_lists_the_columns(tmp_path):
    p = write(tmp_path, "x1,x2,label\n1,2,a\n")
    with pytest.raises(ValueError, match=rf"^{p}: target column 'y' not found; columns are: x1, x2, label$"):
        D.load_csv(p, "y")
    with pytest.raises(ValueError, match=r"which column is the target\? .*columns are: x1, x2, label"):
        D.load(str(p))


def test_csv_non_numeric_feature_names_file_line_and_column(tmp_path):
    rows = ["x1,x2,y"] + [f"{i},{i},a" for i in range(5)] + ["5,abc,b", "6,6,b"]
    p = write(tmp_path, "\n".join(rows) + "\n", "file.csv")
    with pytest.raises(ValueError) as e:
        D.load_csv(p, "y")
    assert str(e.value) == f"{p} line 7 column 'x2': could not convert 'abc' to float"


@pytest.mark.parametrize(
    "cell, match",
    [
        ("", r"line 3 column 'x2': empty cell \(missing value\)"),
        ("nan", r"line 3 column 'x2': missing value 'nan'"),
        ("NA", r"line 3 column 'x2': missing value 'NA'"),
        ("inf", r"line 3 column 'x2': 'inf' is not a finite number"),
    ],
)
def test_csv_missing_and_nonfinite_cells(tmp_path, cell, match):
    p = write(tmp_path, f"x1,x2,y\n1,2,a\n3,{cell},b\n")
    with pytest.raises(ValueError, match=rf"^{p} {match}"):
        D.load_csv(p, "y")


def test_csv_structural_errors(tmp_path):
    empty = write(tmp_path, "", "empty.csv")
    with pytest.raises(ValueError, match=rf"^{empty}: empty file"):
        D.load_csv(empty, "y")
    blank = write(tmp_path, "\n\n  \n", "blank.csv")
    with pytest.raises(ValueError, match="empty file"):
        D.load_csv(blank, "y")
    header_only = write(tmp_path, "x,y\n", "header.csv")
    with pytest.raises(ValueError, match="no data rows after the header"):
        D.load_csv(header_only, "y")
    ragged = write(tmp_path, "x1,x2,y\n1,2,a\n3,b\n", "ragged.csv")
    with pytest.raises(ValueError, match=rf"^{ragged} line 3: expected 3 fields as in the header, got 2"):
        D.load_csv(ragged, "y")
    dup = write(tmp_path, "x,x,y\n1,2,a\n", "dup.csv")
    with pytest.raises(ValueError, match="line 1: duplicate column name 'x'"):
        D.load_csv(dup, "y")
    noname = write(tmp_path, "x,,y\n1,2,a\n", "noname.csv")
    with pytest.raises(ValueError, match="line 1: column 2 of the header has no name"):
        D.load_csv(noname, "y")
    only_target = write(tmp_path, "y\na\nb\n", "only.csv")
    with pytest.raises(ValueError, match="no feature columns"):
        D.load_csv(only_target, "y")
    with pytest.raises(FileNotFoundError, match="nope.csv: no such file"):
        D.load(str(tmp_path / "nope.csv"), target="y")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("x,y\n1,caf\xe9\n".encode("latin-1"))
    with pytest.raises(ValueError, match="not UTF-8 text"):
        D.load_csv(latin, "y")


def test_csv_target_errors(tmp_path):
    miss = write(tmp_path, "x,y\n1,a\n2,\n", "miss.csv")
    with pytest.raises(ValueError, match=r"line 3 column 'y': missing target value"):
        D.load_csv(miss, "y")
    one = write(tmp_path, "x,y\n1,a\n2,a\n", "one.csv")
    with pytest.raises(ValueError, match="single class \\('a'\\)"):
        D.load_csv(one, "y")
    words = write(tmp_path, "x,y\n1,1.5\n2,high\n", "words.csv")
    with pytest.raises(ValueError, match=r"line 3 column 'y': could not convert 'high' to float \(a regr"):
        D.load_csv(words, "y", task="regression")


def test_csv_stratified_split_too_small_is_explained(tmp_path):
    p = write(tmp_path, "x,y\n" + "".join(f"{i},{'a' if i else 'b'}\n" for i in range(10)))
    with pytest.raises(ValueError, match="cannot make a stratified test split"):
        D.load(str(p), target="y")


def test_read_features_for_prediction(tmp_path):
    train = write(tmp_path, "x1,x2,y\n" + "".join(f"{i},{10 - i},{i % 2}\n" for i in range(20)), "train.csv")
    s = D.load(str(train), target="y")
    new = write(tmp_path, "x2,extra,x1\n5,zzz,1\n6,zzz,2\n", "new.csv")  # any column order, extras ignored
    X = D.read_features(new, s.feature_names)
    assert X.tolist() == [[1, 5], [2, 6]]
    Z = s.transform(X)
    assert Z.dtype == np.float32
    np.testing.assert_allclose(Z, (X - s.scaler.mean) / s.scaler.std, rtol=1e-6)
    bad = write(tmp_path, "x1\n1\n", "bad.csv")
    with pytest.raises(
        ValueError, match=r"missing 1 feature column\(s\): 'x2'; the model was trained on 2: 'x1', 'x2'"
    ):
        D.read_features(bad, s.feature_names)
    with pytest.raises(ValueError, match=r"expected data of shape \(n, 2\)"):
        s.transform(np.zeros((3, 5)))
