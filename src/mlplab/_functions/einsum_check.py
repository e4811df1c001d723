"""The checks torch's einsum makes on its equation, with its messages, before anything is
computed: operand count, the subscripts of each operand against its dimensions, the output's
subscripts, and the sizes a subscript takes (equal within an operand, broadcastable across them)."""

from __future__ import annotations

from functools import lru_cache

ELLIPSIS = "..."


def _is_subscript(c: str) -> bool:
    return ("a" <= c <= "z") or ("A" <= c <= "Z")


def _operand_labels(lhs: str, n_ops: int) -> list[list[str]]:
    """The subscripts of each operand (``...`` one entry), read as torch reads them."""
    labels: list[list[str]] = [[]]
    i = 0
    while i < len(lhs):
        c = lhs[i]
        op = len(labels) - 1
        if c == ".":
            if ELLIPSIS in labels[-1]:
                raise RuntimeError(
                    f"einsum(): found '.' for operand {op} for which an ellipsis was already found"
                )
            if lhs[i : i + 3] != ELLIPSIS:
                raise RuntimeError(f"einsum(): found '.' for operand {op} that is not part of any ellipsis")
            labels[-1].append(ELLIPSIS)
            i += 2
        elif c == ",":
            if len(labels) == n_ops:
                raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
            labels.append([])
        elif c != " ":
            if not _is_subscript(c):
                raise RuntimeError(
                    f"einsum(): invalid subscript given at index {i} in the equation string, "
                    "subscripts must be in [a-zA-Z]"
                )
            labels[-1].append(c)
        i += 1
    if len(labels) != n_ops:
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    return labels


def _check_output(rhs: str, offset: int, seen: set[str]) -> None:
    out: list[str] = []
    i = 0
    while i < len(rhs):
        c = rhs[i]
        if c == ".":
            if ELLIPSIS in out:
                raise RuntimeError("einsum(): found '.' for output but an ellipsis (...) was already found")
            if rhs[i : i + 3] != ELLIPSIS:
                raise RuntimeError("einsum(): found '.' for output that is not part of any ellipsis (...)")
            out.append(ELLIPSIS)
            i += 2
        elif c != " ":
            if not _is_subscript(c):
                raise RuntimeError(
                    f"einsum(): invalid subscript given at index {offset + i} in the equation string, "
                    "subscripts must be in [a-zA-Z]"
                )
            if c not in seen:
                raise RuntimeError(
                    f"einsum(): output subscript {c} does not appear in the equation for any input operand"
                )
            if c in out:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")
            out.append(c)
        i += 1


@lru_cache(maxsize=256)  # a training loop calls einsum with the same equation and shapes each step
def check_equation(equation: str, shapes: tuple) -> None:
    """Raise torch's RuntimeError for an equation that does not fit the operands' ``shapes`` (a
    tuple of shape tuples). A failing check raises each time: only passing ones are cached."""
    lhs, arrow, rhs = equation.partition("->")
    labels = _operand_labels(lhs, len(shapes))
    for i, (subs, shape) in enumerate(zip(labels, shapes)):
        n = len(subs) - (ELLIPSIS in subs)
        if ELLIPSIS in subs and n > len(shape):
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({n}) is more than the number of "
                f"dimensions ({len(shape)}) for operand {i}"
            )
        if ELLIPSIS not in subs and n != len(shape):
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({n}) does not match the number of "
                f"dimensions ({len(shape)}) for operand {i} and no ellipsis was given"
            )
    if arrow:
        _check_output(rhs, len(lhs) + 2, {c for subs in labels for c in subs})
    sizes: dict[str, int] = {}
    for i, (subs, shape) in enumerate(zip(labels, shapes)):
        if ELLIPSIS in subs:  # the named dims: before the ellipsis from the left, after it from the right
            k = subs.index(ELLIPSIS)
            dims = list(zip(subs[:k], shape[:k])) + list(
                zip(subs[k + 1 :], shape[len(shape) - len(subs) + k + 1 :])
            )
        else:
            dims = list(zip(subs, shape))
        mine: dict[str, int] = {}
        for c, size in dims:
            if c in mine:
                if size != mine[c]:
                    raise RuntimeError(
                        f"einsum(): subscript {c} is repeated for operand {i} but the sizes don't match, "
                        f"{size} != {mine[c]}"
                    )
                continue
            mine[c] = size
            before = sizes.get(c, 1)
            if size != before and 1 not in (size, before):
                raise RuntimeError(
                    f"einsum(): subscript {c} has size {size} for operand {i} which does not broadcast "
                    f"with previously seen size {before}"
                )
            sizes[c] = size if before == 1 else before
