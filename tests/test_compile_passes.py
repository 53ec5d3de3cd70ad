"""The compiler's C++ passes (csrc/synapse_rows, csrc/axon_tables) check what they read:
bad arrays give ProgramFormatError, never a crash; and on good arrays they agree with a
plain numpy computation."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from emulator import _core
from emulator.errors import ProgramFormatError


@st.composite
def synapses(draw):
    n_pre, n_post = draw(st.integers(1, 20)), draw(st.integers(1, 40))
    mask = np.array(draw(st.lists(st.booleans(), min_size=n_pre * n_post,
                                  max_size=n_pre * n_post))).reshape(n_pre, n_post)
    pre, post = np.nonzero(mask)  # canonical order: by pre, then post
    return n_pre, n_post, pre.astype(np.int64), post.astype(np.int64)


@given(case=synapses(), size=st.integers(1, 45))
def test_block_rows_counts_rows_as_numpy_does(case, size):
    n_pre, n_post, pre, post = case
    cost = np.arange(size + 1, dtype=np.int64) * 3 + 1
    axons, bits, per_pre = _core.block_rows(pre, post, n_pre, n_post, size, cost)
    n_blocks = -(-n_post // size)
    rows = {(p, q // size) for p, q in zip(pre, post)}
    length = {r: sum(1 for p, q in zip(pre, post) if (p, q // size) == r) for r in rows}
    assert list(axons) == [sum(1 for r in rows if r[1] == b) for b in range(n_blocks)]
    assert list(bits) == [sum(cost[length[r]] for r in rows if r[1] == b) for b in range(n_blocks)]
    assert list(per_pre) == [sum(1 for r in rows if r[0] == p) for p in range(n_pre)]


@given(case=synapses(), cuts=st.sets(st.integers(1, 39), max_size=5), data=st.data())
def test_group_synapses_regroups_by_block_in_canonical_order(case, cuts, data):
    """Each block keeps canonical order, its rows in the order pre_order lists the pre
    neurons."""
    n_pre, n_post, pre, post = case
    starts = np.array(sorted({0, *[c for c in cuts if c < n_post]}), np.int64)
    block_of_post = (np.searchsorted(starts, np.arange(n_post), side="right") - 1).astype(np.int32)
    weight = np.arange(len(pre), dtype=np.int64) - 5
    pre_order = np.array(data.draw(st.permutations(range(n_pre))), np.int64)
    out_pre, out_post, out_w, out_d, block_ptr, row_start, block_row_ptr = _core.group_synapses(
        pre, post, weight, None, n_pre, pre_order, block_of_post, starts)
    assert len(out_d) == 0
    rank = np.argsort(pre_order)
    by_rank = np.argsort(rank[pre], kind="stable")  # rows in pre_order, each in canonical order
    pre, post, weight = pre[by_rank], post[by_rank], weight[by_rank]
    for b in range(len(starts)):
        mine = block_of_post[post] == b
        lo, hi = block_ptr[b], block_ptr[b + 1]
        np.testing.assert_array_equal(out_pre[lo:hi], pre[mine])
        np.testing.assert_array_equal(out_post[lo:hi], post[mine] - starts[b])
        np.testing.assert_array_equal(out_w[lo:hi], weight[mine])
        first = row_start[block_row_ptr[b]:block_row_ptr[b + 1]]
        runs = [i for i in range(lo, hi) if i == lo or out_pre[i] != out_pre[i - 1]]
        np.testing.assert_array_equal(first, runs)


def test_bad_arrays_are_program_format_errors():
    pre, post = np.array([0, 0, 1], np.int64), np.array([0, 1, 0], np.int64)
    cost = np.arange(5, dtype=np.int64)
    for bad_pre, bad_post in ((np.array([0, 0, 9]), post), (pre, np.array([0, -1, 0])),
                              (np.array([1, 0, 0]), post), (pre, np.array([1, 0, 0]))):
        with pytest.raises(ProgramFormatError):
            _core.block_rows(bad_pre.astype(np.int64), bad_post.astype(np.int64), 2, 2, 2, cost)
        with pytest.raises(ProgramFormatError):
            _core.group_synapses(bad_pre.astype(np.int64), bad_post.astype(np.int64),
                                 np.zeros(3, np.int64), None, 2, np.arange(2), np.zeros(2, np.int32),
                                 np.zeros(1, np.int64))
    with pytest.raises(ProgramFormatError, match="size=4 outside"):
        _core.block_rows(pre, post, 2, 2, 4, cost[:2])
    with pytest.raises(ProgramFormatError, match="size"):
        _core.block_rows(pre[:1], post[:1], 1, 1, 2**63 - 1, cost[:1])
    for n_pre, n_post in ((-1, 2), (2, -5), (2**40, 2)):
        with pytest.raises(ProgramFormatError, match="n_pre|n_post"):
            _core.block_rows(pre, post, n_pre, n_post, 2, cost)
    for n_pre in (-1, 2**40):  # (group_synapses takes n_post from block_of_post)
        with pytest.raises(ProgramFormatError, match="n_pre"):
            _core.group_synapses(pre, post, np.zeros(3, np.int64), None, n_pre, np.arange(2),
                                 np.zeros(2, np.int32), np.zeros(1, np.int64))
    with pytest.raises(ProgramFormatError, match="weight=40000"):
        _core.group_synapses(pre, post, np.array([0, 40000, 0], np.int64), None, 2, np.arange(2),
                             np.zeros(2, np.int32), np.zeros(1, np.int64))
    with pytest.raises(ProgramFormatError, match="in no block"):
        _core.group_synapses(pre, post, np.zeros(3, np.int64), None, 2, np.arange(2),
                             np.array([0, 5], np.int32), np.zeros(1, np.int64))
    with pytest.raises(ProgramFormatError, match="permutation"):
        _core.group_synapses(pre, post, np.zeros(3, np.int64), None, 2, np.zeros(2, np.int64),
                             np.zeros(2, np.int32), np.zeros(1, np.int64))
    with pytest.raises(ProgramFormatError, match="dtype"):
        _core.block_rows(pre.astype(np.int32), post, 2, 2, 2, cost)
    with pytest.raises(ProgramFormatError, match="sender"):
        _core.axon_tables([[np.array([0, 7], np.int64)]], 3)


@given(cores=st.lists(st.lists(st.lists(st.integers(0, 9), max_size=8), max_size=3), max_size=5))
def test_axon_tables_group_each_cores_rows_by_sender(cores):
    groups = [[np.array(g, np.int64) for g in core] for core in cores]
    axons, (src_ptr, dst_core, dst_axon) = _core.axon_tables(groups, 10)
    for c, (ptr, grp, row) in enumerate(axons):
        pairs = {}
        for g, senders in enumerate(groups[c]):
            for r, s in enumerate(senders):
                pairs.setdefault(int(s), []).append((g, r))
        assert len(ptr) - 1 == len(pairs)
        for a in range(len(ptr) - 1):
            got = sorted(zip(grp[ptr[a]:ptr[a + 1]].tolist(), row[ptr[a]:ptr[a + 1]].tolist()))
            sender = [s for s in range(10) if any(dst_core[e] == c and dst_axon[e] == a
                                                  for e in range(src_ptr[s], src_ptr[s + 1]))]
            assert len(sender) == 1 and got == sorted(pairs[sender[0]])
