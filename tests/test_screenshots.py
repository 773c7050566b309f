"""The screenshot script draws the real window in every badge state, with the headline in view.

A layout that hides, squeezes or blanks the badge fails here, state by state.
"""

from __future__ import annotations

import logging

import pytest
from PySide6.QtGui import QImage

from lsdesk.gui.screenshots import SCENES, THEMES, file_name, render


@pytest.mark.parametrize("theme", THEMES.values(), ids=lambda theme: theme.name)
@pytest.mark.parametrize("scene", SCENES, ids=lambda scene: scene.slug)
def test_every_badge_state_is_drawn_with_its_headline_in_view(qapp, tmp_path, scene, theme, caplog):
    with caplog.at_level(logging.WARNING):  # the scenes of faults log the fault, as lsdesk does for real
        shot = render(scene, tmp_path, theme)

    assert shot.path == tmp_path / file_name(scene, theme)
    picture = QImage(str(shot.path))
    assert not picture.isNull()
    assert picture.width() >= 400 and picture.height() >= 300
    assert shot.state is scene.state
    assert shot.title == scene.title
    assert shot.title_visible
    headline = shot.title_rect
    assert not headline.isEmpty()
    assert picture.rect().contains(headline), f"the headline at {headline} is outside the {picture.size()} window"
    assert not shot.title_clipped
    # Something is drawn where the headline is: not one flat colour.
    colours = {
        picture.pixel(x, y)
        for x in range(headline.left(), headline.right())
        for y in range(headline.top(), headline.bottom())
    }
    assert len(colours) > 2


def test_file_names_are_the_ones_the_readme_uses():
    valid, invalid = SCENES[0], SCENES[1]
    assert file_name(valid, THEMES["light"]) == "settings-window.png"
    assert file_name(invalid, THEMES["light"]) == "settings-window-invalid.png"
    assert file_name(valid, THEMES["dark"]) == "settings-window-dark.png"
