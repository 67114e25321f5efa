# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""README.rst and the readme/ fragments say the same (README.rst is the source;
see tests/readme_sections.py, also the pre-commit hook ``readme-fragments``)."""

from odoo.tests import BaseCase, tagged

from . import readme_sections


@tagged("post_install", "-at_install")
class TestReadme(BaseCase):
    def test_fragments_are_the_sections_of_the_readme(self):
        self.assertTrue(readme_sections.fragment_files())
        problems = readme_sections.mismatches()
        self.assertFalse(problems, "\n\n".join(problems))

    def test_markups_compared_as_the_same_text(self):
        rst = [
            "Install it with *pip* into ``.venv``, then run",
            "the server::",
            "",
            "    pip install x",
            "",
            "    odoo -i x",
            "",
            "* **One**: first,",
            "  on two lines.",
            "* Two.",
        ]
        md = [
            "Install it with *pip* into `.venv`, then run the server:",
            "",
            "```",
            "pip install x",
            "",
            "odoo -i x",
            "```",
            "",
            "- **One**: first, on two lines.",
            "- Two.",
        ]
        self.assertEqual(readme_sections.md_blocks(md), readme_sections.rst_blocks(rst))
        self.assertEqual(readme_sections.rst_to_md(rst).splitlines()[3:7], md[2:6])

    def test_a_different_word_or_item_is_a_difference(self):
        rst = ["- The order is *confirmed*.", "- It ships."]
        for md in (
            ["- The order is *cancelled*.", "- It ships."],
            ["- The order is *confirmed*."],
            ["- The order is *confirmed*. It ships."],
            ["- The order is *confirmed*.", "", "```", "It ships.", "```"],
        ):
            self.assertNotEqual(
                readme_sections.md_blocks(md), readme_sections.rst_blocks(rst), md
            )

    def test_sections_found_by_title_and_level(self):
        readme = "\n".join(
            [
                "=====",
                "Addon",
                "=====",
                "",
                ".. |badge1| image:: https://example.com/b.png",
                "    :alt: b",
                "",
                "|badge1|",
                "",
                "What it does.",
                "",
                "**Table of contents**",
                "",
                "Usage",
                "=====",
                "",
                "Use it.",
                "",
                "Details",
                "-------",
                "",
                "More.",
                "",
                "Credits",
                "=======",
            ]
        )
        sections, description = readme_sections.rst_sections(readme)
        self.assertEqual(
            readme_sections.rst_heading_blocks(description), ["What it does."]
        )
        self.assertEqual(
            readme_sections.rst_heading_blocks(sections["Usage"]),
            ["Use it.", "HEADING: Details", "More."],
        )
        self.assertEqual(sections["Details"], ["", "More.", ""])
