"""How a batch's story groups change the stored stories (a plain function, no database)."""

from __future__ import annotations

from copytrace.stories import story_changes


def test_a_group_meeting_no_story_starts_one_and_one_meeting_a_story_joins_it():
    changes = story_changes([{3, 1}, {4, 5}], {1: None, 3: None, 4: 7, 5: None})
    assert changes.new == [[1, 3]]
    assert changes.joins == {5: 7}
    assert changes.merges == {}


def test_stories_met_in_one_group_merge_into_the_smallest():
    changes = story_changes([{1, 2, 3}], {1: 9, 2: 4, 3: None})
    assert changes.merges == {4: [9]}
    assert changes.joins == {3: 4}
    assert changes.new == []


def test_groups_joined_through_a_shared_story_end_in_one_story():
    """Story 5 is met in both groups: 3, 5 and 7 are one story, whichever group comes first."""
    story_of = {1: 5, 2: 3, 3: 5, 4: 7, 5: None, 6: None}
    for groups in ([{1, 2, 5}, {3, 4, 6}], [{3, 4, 6}, {1, 2, 5}]):
        changes = story_changes(groups, story_of)
        assert changes.merges == {3: [5, 7]}
        assert changes.joins == {5: 3, 6: 3}
        assert changes.new == []
