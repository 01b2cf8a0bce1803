"""The class poll's histogram, read as data."""

from lossviz.plots.classroom import poll_figure

LABELS = {"title": "answers", "x": "answer", "y": "students"}


def test_poll_figure_bars_counts_and_the_revealed_bar():
    """Test one bar per option with its count, the revealed one green and ticked, the others not."""
    fig = poll_figure(["a", "b", "c"], [3, 0, 5], labels=LABELS, truth_bar=2)
    (bar,) = fig.data
    assert list(bar.x) == ["a", "b", "c"] and list(bar.y) == [3, 0, 5]
    assert list(bar.text) == ["3", "0", "5 ✓"]
    assert bar.marker.color[2] != bar.marker.color[0] == bar.marker.color[1]
    assert fig.layout.yaxis.dtick == 1 and fig.layout.title.text == "answers"


def test_poll_figure_before_the_reveal_and_with_a_large_class():
    """Test that nothing is marked before the reveal, and that 300 students do not get 300 ticks."""
    fig = poll_figure([str(i) for i in range(10)], [30] * 10, labels=LABELS)
    assert "✓" not in "".join(fig.data[0].text) and len(set(fig.data[0].marker.color)) == 1
    assert fig.layout.yaxis.dtick is None
