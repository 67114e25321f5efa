#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The ``readme/`` fragments agree with README.rst (standard library only).

    python3 tests/readme_sections.py          check (pre-commit: readme-fragments)
    python3 tests/readme_sections.py --write  write the fragments from README.rst

README.rst is the source. OCA generates an addon's README.rst from its ``readme/``
fragments with ``oca-gen-addon-readme``, which is not on PyPI; here the fragments
are the text of README.rst's sections, in Markdown, each where OCA's generator
would put it: DESCRIPTION.md the text between the badges and the table of
contents, INSTALL.md *Installation*, CONFIGURE.md *Configuration*, USAGE.md
*Usage*, CONTRIBUTORS.md *Contributors*, and so on (``FRAGMENT_SECTIONS``).

The comparison is made block by block (blocks are separated by blank lines), with
the differences of the two markups set aside: line wrapping and indentation, ``*``
or ``-`` bullets, ```code``` or ````code````, Markdown links and headings, and
literal blocks (``para::`` and an indented block in reStructuredText, ``para:`` and
a fenced block in Markdown). Anything else must be the same text.
"""

import difflib
import os
import re
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.rst")
FRAGMENTS = os.path.join(ROOT, "readme")
DESCRIPTION = "DESCRIPTION"
# Fragment -> README.rst section, as in OCA's README template.
FRAGMENT_SECTIONS = {
    DESCRIPTION: None,  # the text between the badges and the table of contents
    "INSTALL": "Installation",
    "CONFIGURE": "Configuration",
    "USAGE": "Usage",
    "DEVELOP": "Development",
    "ROADMAP": "Known issues / Roadmap",
    "HISTORY": "Changelog",
    "CONTRIBUTORS": "Contributors",
    "CREDITS": "Other credits",
}
TOC = "**Table of contents**"
UNDERLINE = re.compile(r"^([=\-~^\"'`#*+])\1+$")


def _heading_at(lines, index):
    """The underline character when ``lines[index]`` is a section title."""
    if index + 1 >= len(lines):
        return None
    title, underline = lines[index], lines[index + 1]
    match = UNDERLINE.match(underline)
    if not title.strip() or not match or title.startswith(" "):
        return None
    if len(underline) < len(title.rstrip()):
        return None
    return match.group(1)


def rst_sections(text):
    """{title: body lines} of every section of a reStructuredText document, and
    its description (the body before the first section, without the title,
    badges and table of contents)."""
    lines = text.splitlines()
    start = 0
    if lines and UNDERLINE.match(lines[0]):  # an overlined document title
        start = 3
    headings = []  # (line index, level, title)
    levels = []
    index = start
    while index < len(lines):
        char = _heading_at(lines, index)
        if char:
            if char not in levels:
                levels.append(char)
            headings.append((index, levels.index(char), lines[index].strip()))
            index += 2
        else:
            index += 1
    sections = {}
    for number, (line, level, title) in enumerate(headings):
        end = len(lines)
        for next_line, next_level, _title in headings[number + 1 :]:
            if next_level <= level:
                end = next_line
                break
        sections[title] = lines[line + 2 : end]
    first = headings[0][0] if headings else len(lines)
    intro = lines[start:first]
    if TOC in (line.strip() for line in intro):
        intro = intro[: [line.strip() for line in intro].index(TOC)]
    return sections, _without_badges(intro)


def _without_badges(lines):
    kept, in_directive = [], False
    for line in lines:
        if line.startswith(".. |"):
            in_directive = True
            continue
        if in_directive and (line.startswith(" ") or not line.strip()):
            in_directive = bool(line.strip())
            continue
        in_directive = False
        if re.fullmatch(r"(\|\w+\|\s*)+", line.strip()):
            continue
        kept.append(line)
    return kept


def _split_blocks(lines):
    block = []
    for line in lines:
        if line.strip():
            block.append(line)
        elif block:
            yield block
            block = []
    if block:
        yield block


def _units(block):
    """A block of text as its paragraph or list items, each on one line, bullets
    written ``- ``."""
    units = []
    for line in block:
        item = re.match(r"^\s*[-*+]\s+(.*)$", line)
        if item or not units:
            units.append([f"- {item.group(1)}" if item else line])
        else:
            units[-1].append(line)
    return [" ".join(" ".join(unit).split()) for unit in units]


def rst_blocks(lines):
    """Normalised blocks of reStructuredText lines."""
    blocks, literal = [], False
    raw = list(_split_blocks(lines))
    for block in raw:
        if literal and block[0].startswith((" ", "\t")):
            code = [line.rstrip() for line in block]
            indent = min(len(line) - len(line.lstrip()) for line in code)
            blocks.append("CODE:\n" + "\n".join(line[indent:] for line in code))
            continue
        literal = block[-1].rstrip().endswith("::")
        units = _units(block)
        if literal:
            last = units.pop()[:-2].rstrip()
            units += [f"{last}:"] if last else []
        blocks.extend(units)
    return _merge_code(blocks)


def md_blocks(lines):
    """Normalised blocks of Markdown lines."""
    blocks, fence = [], None
    for line in lines:
        if fence is not None:
            if line.strip().startswith("```"):
                blocks.append(("code", fence))
                fence = None
            else:
                fence.append(line.rstrip())
            continue
        if line.strip().startswith("```"):
            fence = []
            blocks.append(("blank", None))
            continue
        blocks.append(("line", line))
    normalised, prose = [], []

    def flush():
        for block in _split_blocks(prose):
            for text in _units(block):
                heading = re.match(r"^#+\s+(.*)$", text)
                normalised.append(f"HEADING: {heading.group(1)}" if heading else text)
        prose.clear()

    for kind, value in blocks:
        if kind == "line":
            prose.append(value)
            continue
        flush()
        if kind == "code":
            normalised.append("CODE:\n" + "\n".join(value).strip("\n"))
    flush()
    normalised = [_md_inline(block) for block in normalised]
    return _merge_code(normalised)


def _md_inline(block):
    if block.startswith("CODE:"):
        return block
    # `code` -> ``code``, [text](url) -> `text <url>`_
    block = re.sub(r"(?<!`)`([^`]+)`(?!`)", r"``\1``", block)
    return re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"`\1 <\2>`_", block)


def _merge_code(blocks):
    """Consecutive code blocks are one (blank lines inside a literal block)."""
    merged = []
    for block in blocks:
        if block.startswith("CODE:") and merged and merged[-1].startswith("CODE:"):
            merged[-1] += "\n\n" + block[len("CODE:\n") :]
        else:
            merged.append(block)
    return merged


def rst_heading_blocks(lines):
    """Like rst_blocks, with the section titles inside a section as HEADING."""
    out, index = [], 0
    chunk = []
    while index < len(lines):
        if _heading_at(lines, index):
            out.extend(rst_blocks(chunk))
            out.append(f"HEADING: {lines[index].strip()}")
            chunk = []
            index += 2
            continue
        chunk.append(lines[index])
        index += 1
    out.extend(rst_blocks(chunk))
    return out


def _wrapped(units):
    """Units as lines of at most 88 characters, for a readable diff."""
    lines = []
    for unit in units:
        if unit.startswith("CODE:"):
            lines.extend(unit.splitlines())
        else:
            lines.extend(textwrap.wrap(unit, 88, break_on_hyphens=False))
        lines.append("")
    return lines


def fragment_files():
    """{fragment name: path} of readme/*.md and readme/*.rst."""
    found = {}
    for name in sorted(os.listdir(FRAGMENTS)):
        stem, ext = os.path.splitext(name)
        if ext in (".md", ".rst"):
            found[stem] = os.path.join(FRAGMENTS, name)
    return found


def mismatches():
    """What differs between the fragments and README.rst, as readable text; empty
    when they agree."""
    with open(README, encoding="utf-8") as readme:
        sections, description = rst_sections(readme.read())
    fragments = fragment_files()
    problems = []
    if DESCRIPTION not in fragments:
        problems.append("readme/DESCRIPTION.md is missing")
    for name, section in FRAGMENT_SECTIONS.items():
        if section in sections and name not in fragments:
            problems.append(
                f"README.rst has a section {section!r}: write it in "
                f"readme/{name}.md too"
            )
    for name, path in fragments.items():
        if name not in FRAGMENT_SECTIONS:
            problems.append(
                f"{os.path.relpath(path, ROOT)}: not a fragment of "
                f"OCA's README ({', '.join(FRAGMENT_SECTIONS)})"
            )
            continue
        section = FRAGMENT_SECTIONS[name]
        if section is not None and section not in sections:
            problems.append(
                f"{os.path.relpath(path, ROOT)}: README.rst has no "
                f"section {section!r}"
            )
            continue
        expected = rst_heading_blocks(
            description if section is None else sections[section]
        )
        with open(path, encoding="utf-8") as fragment:
            text = fragment.read().splitlines()
        actual = (md_blocks if path.endswith(".md") else rst_heading_blocks)(text)
        if actual != expected:
            where = "the description" if section is None else f"section {section!r}"
            diff = difflib.unified_diff(
                _wrapped(expected),
                _wrapped(actual),
                f"README.rst, {where}",
                os.path.relpath(path, ROOT),
                lineterm="",
                n=1,
            )
            problems.append("\n".join(diff))
    return problems


def rst_to_md(lines):
    """Markdown of a section of README.rst, for ``--write``: its text as it is,
    literal blocks fenced, section titles as Markdown headings."""
    out, index, literal = [], 0, False
    while index < len(lines):
        line = lines[index]
        if literal and (not line.strip() or line.startswith((" ", "\t"))):
            out.append(line)
            index += 1
            continue
        if literal:
            _close_fence(out)
            literal = False
        if _heading_at(lines, index):
            out.append(f"## {line.strip()}")
            index += 2
            continue
        if line.rstrip().endswith("::") and (
            index + 1 == len(lines) or not lines[index + 1].strip()
        ):
            text = line.rstrip()[:-2].rstrip()
            if text:
                out.append(text + ":")
            out.extend(["", "```"])
            literal = True
            index += 2
            continue
        out.append(line)
        index += 1
    if literal:
        _close_fence(out)
    return "\n".join(out).strip("\n") + "\n"


def _close_fence(out):
    """Ends the fenced block at the end of ``out``: its lines dedented."""
    start = len(out) - 1 - out[::-1].index("```")
    code = out[start + 1 :]
    while code and not code[-1].strip():
        code.pop()
    indent = min(len(line) - len(line.lstrip()) for line in code if line.strip())
    out[start + 1 :] = [line[indent:].rstrip() for line in code] + ["```", ""]


def write_fragments():
    """Rewrites every fragment of a section README.rst has from its text."""
    with open(README, encoding="utf-8") as readme:
        sections, description = rst_sections(readme.read())
    for name, section in FRAGMENT_SECTIONS.items():
        if section is not None and section not in sections:
            continue
        lines = description if section is None else sections[section]
        with open(os.path.join(FRAGMENTS, f"{name}.md"), "w", encoding="utf-8") as f:
            f.write(rst_to_md(lines))


def main(argv):
    if argv == ["--write"]:
        write_fragments()
    elif argv:
        sys.stderr.write(__doc__)
        return 2
    problems = mismatches()
    for problem in problems:
        sys.stderr.write(problem + "\n\n")
    if problems:
        sys.stderr.write(
            "README.rst is the source: write its sections into the readme/ "
            "fragments with python3 tests/readme_sections.py --write.\n"
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
