"""Latencies keyed in a target's state, taken by cursor: nothing lost between consumers, nothing twice."""

from __future__ import annotations

from probes.probers.observations import (
    append_observation,
    latest_key,
    observations_after,
    record_observations,
)


def test_a_prober_that_records_nothing_reads_as_none() -> None:
    assert observations_after({}, None) is None


def test_an_empty_record_marks_a_recording_prober() -> None:
    state: dict[str, object] = {}
    record_observations(state, {})
    assert observations_after(state, None) == ((), None)


def test_cursor_takes_only_newer_keys_in_key_order() -> None:
    state: dict[str, object] = {}
    record_observations(state, {12: 6.5, 11: 6.0})
    values, cursor = observations_after(state, 10) or ((), None)
    assert (values, cursor) == ((6.0, 6.5), 12)
    record_observations(state, {13: 7.0})
    assert observations_after(state, cursor) == ((7.0,), 13)
    assert observations_after(state, 13) == ((), 13)


def test_appended_values_get_running_keys() -> None:
    state: dict[str, object] = {}
    append_observation(state, 1.5)
    append_observation(state, 2.5)
    assert latest_key(state) == 2
    assert observations_after(state, 1) == ((2.5,), 2)


def test_only_the_newest_entries_are_kept() -> None:
    state: dict[str, object] = {}
    record_observations(state, {h: 6.0 for h in range(1000)})
    values, cursor = observations_after(state, None) or ((), None)
    assert len(values) == 256 and cursor == 999


def test_a_cursor_past_every_key_starts_again() -> None:
    state: dict[str, object] = {}
    append_observation(state, 3.0)  # a fresh state after eviction: keys restart at 1
    assert observations_after(state, 57) == ((3.0,), 1)
