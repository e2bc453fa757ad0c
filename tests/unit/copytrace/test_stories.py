"""How a batch's story groups change the stored stories, and how a story splits again (plain functions, no database)."""

from __future__ import annotations

from copytrace.attribution.stories import story_changes, story_pieces


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


def test_a_story_held_together_only_by_a_derivation_given_up_splits():
    """Copy 4 of article 3 was first credited to copy 2 of article 1, which joined the two stories;
    it now derives from 3: the story is 1, 2 and 3, 4, the part holding the smallest id first."""
    derived_from = {1: None, 2: 1, 3: None, 4: 3}
    assert story_pieces([1, 2, 3, 4], derived_from, []) == [[1, 2], [3, 4]]


def test_similar_documents_and_current_derivations_keep_a_story_whole():
    derived_from = {1: None, 2: 1, 3: None, 4: 3, 5: None}
    assert story_pieces([5, 4, 3, 2, 1], derived_from, [(2, 3)]) == [[1, 2, 3, 4], [5]]
    assert story_pieces([1, 2, 3, 4, 5], derived_from, [(2, 3), (1, 5)]) == [[1, 2, 3, 4, 5]]
