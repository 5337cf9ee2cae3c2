"""Every list's table sits in a box that scrolls sideways (.table-scroll, static/css/app.css):
from 760 px, where a phone's cards become a table, to a desktop's width the table can be wider
than the page (tests/browser/test_phone_width.py measures it on a tablet)."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
LIST_TABLE = re.compile(r'<table class="responsive[ "]')


def test_every_list_table_is_in_a_scroll_box():
    unwrapped = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        lines = template.read_text().splitlines()
        for number, line in enumerate(lines):
            if LIST_TABLE.search(line):
                before = [text.strip() for text in lines[:number] if text.strip()]
                if not before or before[-1] != '<div class="table-scroll">':
                    unwrapped.append(f"{template.relative_to(TEMPLATES)}:{number + 1}")
    assert not unwrapped, unwrapped
