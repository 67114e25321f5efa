# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The PDFs of a batch of records in one wkhtmltopdf call, also with a build of
wkhtmltopdf that takes one document a call.

Odoo's report engine renders several records in one call by giving wkhtmltopdf
one document per record, and splits the result per record (a page each, or by
the PDF's outlines). The wkhtmltopdf of Debian and Ubuntu is built against an
unpatched Qt: it refuses more than one document (and has no outlines, headers or
footers), so Odoo's call for several records fails there. Asked for it with the
``report_one_document`` context key, the records' bodies are given to it as one
document, a record a page: Odoo splits the result page by page. A record of more
than one page makes the pages outnumber the records: the batch is then rendered in
halves, down to the record alone.
"""

import functools
import subprocess

import lxml.html

from odoo import models

from odoo.addons.base.models.ir_actions_report import _get_wkhtmltopdf_bin

ONE_DOCUMENT_KEY = "report_one_document"


@functools.cache
def wkhtmltopdf_takes_several_documents():
    """Whether this machine's wkhtmltopdf is built with the patched Qt (the build
    Odoo asks for), which takes several documents in one call."""
    try:
        version = subprocess.run(
            [_get_wkhtmltopdf_bin(), "--version"],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return True  # no wkhtmltopdf: Odoo's own error, unchanged
    return "patched qt" in version.lower()


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _render_qweb_pdf_prepare_streams(self, report_ref, data, res_ids=None):
        if not self._renders_as_one_document(res_ids):
            return super()._render_qweb_pdf_prepare_streams(
                report_ref, data, res_ids=res_ids
            )
        streams = super(
            IrActionsReport, self.with_context(**{ONE_DOCUMENT_KEY: "merge"})
        )._render_qweb_pdf_prepare_streams(report_ref, dict(data or {}), res_ids)
        if False not in streams:
            return streams  # split by Odoo, a page a record
        # A record of several pages: in halves, each split by Odoo again.
        half = len(res_ids) // 2
        return {
            **self._render_qweb_pdf_prepare_streams(
                report_ref, dict(data or {}), res_ids[:half]
            ),
            **self._render_qweb_pdf_prepare_streams(
                report_ref, dict(data or {}), res_ids[half:]
            ),
        }

    def _renders_as_one_document(self, res_ids):
        return (
            self.env.context.get(ONE_DOCUMENT_KEY) is True
            and res_ids
            and len(res_ids) > 1
            and len(set(res_ids)) == len(res_ids)
            and not wkhtmltopdf_takes_several_documents()
        )

    def _run_wkhtmltopdf(self, bodies, *args, **kwargs):
        if self.env.context.get(ONE_DOCUMENT_KEY) == "merge" and len(bodies) > 1:
            bodies = [_merge_bodies(bodies)]
        return super()._run_wkhtmltopdf(bodies, *args, **kwargs)


def _merge_bodies(bodies):
    """One HTML document of Odoo's report bodies, each from a new page.

    Each body is Odoo's minimal layout around one record; they share the head
    (the report's assets), and keep their own text direction.
    """
    document = lxml.html.document_fromstring(bodies[0])
    target = document.body
    for body in bodies[1:]:
        source = lxml.html.document_fromstring(body).body
        page = lxml.html.Element("div", style="page-break-before: always;")
        if source.get("dir"):
            page.set("dir", source.get("dir"))
        page.extend(list(source))
        target.append(page)
    return lxml.html.tostring(document, encoding="unicode", doctype="<!DOCTYPE html>")
