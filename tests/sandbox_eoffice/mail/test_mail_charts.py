"""The campaign charts: real SVG drawn by matplotlib, text kept as text, no script,
deterministic."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from sandbox_eoffice.mail.charts import funnel_chart, report_timeline_chart

LABELS = ["Đã gửi", "Đã mở", "Đã bấm liên kết", "Đã nhập dữ liệu", "Đã mở tệp", "Đã báo cáo"]


def test_funnel_chart_is_a_deterministic_svg_with_its_labels() -> None:
    svg = funnel_chart("Lớp học", LABELS, [4, 3, 1, 1, 0, 2], "Người nhận")
    assert svg == funnel_chart("Lớp học", LABELS, [4, 3, 1, 1, 0, 2], "Người nhận")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    text = svg.decode()
    for label in (*LABELS, "Lớp học", "Người nhận"):
        assert label in text  # real text, Vietnamese diacritics intact
    assert "<script" not in text and "onload" not in text
    assert svg != funnel_chart("Lớp học", LABELS, [4, 3, 2, 1, 0, 2], "Người nhận")


def test_report_timeline_with_and_without_reports() -> None:
    empty = report_timeline_chart("Báo cáo", [], 3, "Giờ", "Người báo cáo", "Chưa có",
                                  "Đã gửi").decode()
    assert "Chưa có" in empty
    drawn = report_timeline_chart("Báo cáo", [0.5, 2.0], 3, "Giờ", "Người báo cáo",
                                  "Chưa có", "Đã gửi").decode()
    assert "Chưa có" not in drawn and "Đã gửi" in drawn
    ET.fromstring(drawn)
