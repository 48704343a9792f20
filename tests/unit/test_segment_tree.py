"""Sum and min segment trees checked against brute-force cumulative sums and minima."""

import numpy as np
import pytest

from ding_lite.data.segment_tree import MinTree, SumTree


def brute_prefix_index(values: np.ndarray, mass: np.ndarray) -> np.ndarray:
    """Smallest i with values[0] + .. + values[i] > mass."""
    return np.searchsorted(np.cumsum(values), mass, side="right")


def test_sum_tree_by_hand_on_a_capacity_that_is_not_a_power_of_two() -> None:
    tree = SumTree(5)
    tree.update(np.arange(5), np.array([1.0, 2.0, 0.0, 3.0, 4.0]))  # cumulative 1, 3, 3, 6, 10
    assert tree.sum() == 10.0
    mass = np.array([0.0, 0.5, 1.0, 2.9, 3.0, 5.99, 6.0, 9.99])
    expected = [0, 0, 1, 1, 3, 3, 4, 4]  # the zero leaf 2 is never picked; a boundary goes right
    assert tree.prefix_sum_index(mass).tolist() == expected
    assert brute_prefix_index(tree[np.arange(5)], mass).tolist() == expected
    assert tree[np.array([3, 0])].tolist() == [3.0, 1.0]


def test_sum_tree_matches_brute_force_over_random_batched_updates() -> None:
    rng = np.random.default_rng(0)
    capacity = 37
    tree, values = SumTree(capacity), np.zeros(capacity)
    for _ in range(200):
        idx = rng.integers(0, capacity, size=rng.integers(1, 9))
        new = rng.integers(0, 6, size=idx.size).astype(np.float64)  # integers: every sum is exact
        tree.update(idx, new)
        for i, v in zip(idx, new):  # sequential assignment: a repeated index keeps its last value
            values[i] = v
        assert tree.sum() == values.sum()
        if values.sum() > 0:
            mass = rng.uniform(0, values.sum(), size=16)
            mass[0] = 0.0
            assert np.array_equal(tree.prefix_sum_index(mass), brute_prefix_index(values, mass))
        assert np.array_equal(tree[np.arange(capacity)], values)


def test_repeated_index_in_one_update_keeps_the_last_value() -> None:
    tree = SumTree(4)
    tree.update(np.array([2, 1, 2, 2]), np.array([5.0, 1.0, 7.0, 3.0]))
    assert tree[np.arange(4)].tolist() == [0.0, 1.0, 3.0, 0.0]
    assert tree.sum() == 4.0


def test_min_tree_tracks_the_minimum_and_starts_empty() -> None:
    tree = MinTree(6)
    assert tree.min() == float("inf")
    tree.update(np.array([0, 4]), np.array([3.0, 0.5]))
    assert tree.min() == 0.5
    tree.update(np.array([4]), np.array([9.0]))  # raising the minimum leaf exposes the next one
    assert tree.min() == 3.0
    rng = np.random.default_rng(1)
    values = np.array([3.0, np.inf, np.inf, np.inf, 9.0, np.inf])
    for _ in range(50):
        idx = rng.integers(0, 6, size=3)
        new = rng.normal(size=3)
        tree.update(idx, new)
        for i, v in zip(idx, new):
            values[i] = v
        assert tree.min() == values.min()


def test_scalar_value_broadcasts_and_capacity_one_works() -> None:
    tree = SumTree(1)
    tree.update(np.array([0]), 2.5)
    assert tree.sum() == 2.5
    assert tree.prefix_sum_index(np.array([0.0, 2.4])).tolist() == [0, 0]
    tree.update(np.array([], dtype=np.int64), np.array([]))
    assert tree.sum() == 2.5


def test_invalid_inputs_are_refused() -> None:
    tree = SumTree(4)
    with pytest.raises(IndexError):
        tree.update(np.array([4]), np.array([1.0]))
    with pytest.raises(IndexError):
        tree[np.array([-1])]
    with pytest.raises(ValueError, match="non-negative"):
        tree.update(np.array([0]), np.array([-1.0]))
    with pytest.raises(ValueError, match="non-negative"):
        tree.update(np.array([0]), np.array([np.nan]))
    with pytest.raises(ValueError, match="NaN"):
        MinTree(2).update(np.array([0]), np.array([np.nan]))
    tree.update(np.array([1]), np.array([2.0]))
    with pytest.raises(ValueError, match="mass"):
        tree.prefix_sum_index(np.array([2.0]))  # mass must be below the total
    with pytest.raises(ValueError, match="mass"):
        tree.prefix_sum_index(np.array([-0.1]))


@pytest.mark.parametrize("cls", [SumTree, MinTree])
def test_state_dict_round_trip_rebuilds_the_tree_bit_for_bit(cls) -> None:
    rng = np.random.default_rng(2)
    tree = cls(13)
    for _ in range(30):
        idx = rng.integers(0, 13, size=4)
        tree.update(idx, rng.uniform(0.0, 1.0, size=4))
    state = tree.state_dict()
    assert state["values"].dtype == np.float64 and state["values"].shape == (13,)
    restored = cls(13)
    restored.load_state_dict(state)
    assert np.array_equal(restored._tree, tree._tree)  # inner nodes included, not only the leaves
    state["values"][:] = 0.5  # the state is a copy
    assert np.array_equal(restored._tree, tree._tree)
    assert not np.array_equal(tree.state_dict()["values"], state["values"])
    if cls is SumTree:
        mass = rng.uniform(0.0, tree.sum(), size=64)
        assert np.array_equal(restored.prefix_sum_index(mass), tree.prefix_sum_index(mass))


def test_load_state_dict_refuses_a_different_capacity_or_format() -> None:
    state = SumTree(4).state_dict()
    with pytest.raises(ValueError, match="capacity"):
        SumTree(5).load_state_dict(state)
    with pytest.raises(ValueError, match="format"):
        SumTree(4).load_state_dict({**state, "format": 99})
    with pytest.raises(ValueError, match="values"):
        SumTree(4).load_state_dict({**state, "values": np.zeros(3)})
