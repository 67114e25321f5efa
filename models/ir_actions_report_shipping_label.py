# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The shipping labels print on the paper of each delivery's carrier: one PDF for
all the selected transfers, one wkhtmltopdf run a label size."""

import functools
import subprocess

from odoo import api, models
from odoo.tools.pdf import merge_pdf

from odoo.addons.base.models.ir_actions_report import _get_wkhtmltopdf_bin

SHIPPING_LABEL_REPORT_NAME = "website_sale_order_tracking.report_shipping_label"
SHIPPING_LABEL_ACTION = "website_sale_order_tracking.action_report_shipping_label"
# The scale of a page printed by a wkhtmltopdf without patched Qt, measured with
# Debian's 0.12.6 (a 100 mm box prints 77.45 mm high or wide, on any paper).
UNPATCHED_QT_SCALE = 0.7745


@functools.cache
def _wkhtmltopdf_unpatched():
    """Whether the wkhtmltopdf Odoo runs is a build without patched Qt (its
    version does not say "with patched qt"); asked once a process."""
    try:
        version = subprocess.run(
            [_get_wkhtmltopdf_bin(), "--version"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout
    except (OSError, TypeError, subprocess.SubprocessError):
        return False
    return "patched qt" not in version.lower()


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def get_paperformat(self):
        paperformat_id = self.env.context.get("shipping_label_paperformat_id")
        if paperformat_id and self.report_name == SHIPPING_LABEL_REPORT_NAME:
            return self.env["report.paperformat"].browse(paperformat_id)
        return super().get_paperformat()

    def _render_qweb_pdf(self, report_ref, res_ids=None, data=None):
        report = self._get_report(report_ref)
        if (
            report.report_name != SHIPPING_LABEL_REPORT_NAME
            or not res_ids
            or self.env.context.get("shipping_label_paperformat_id")
        ):
            return super()._render_qweb_pdf(report_ref, res_ids=res_ids, data=data)
        ids = [res_ids] if isinstance(res_ids, int) else list(res_ids)
        pickings = self.env["stock.picking"].browse(ids).sudo()
        carrier_of = {
            picking.id: picking._get_shipping_label_delivery()._get_shipping_carrier()
            for picking in pickings
        }
        paperformat_of = {
            carrier: carrier._get_shipping_label_paperformat()
            for carrier in set(carrier_of.values())
        }
        by_paperformat = {}
        for picking_id in ids:
            paperformat = paperformat_of[carrier_of[picking_id]]
            by_paperformat.setdefault(paperformat, []).append(picking_id)
        results = [
            super(
                IrActionsReport,
                self.with_context(shipping_label_paperformat_id=paperformat.id),
            )._render_qweb_pdf(report_ref, res_ids=group, data=dict(data or {}))
            for paperformat, group in by_paperformat.items()
        ]
        if len(results) == 1:
            return results[0]
        if any(kind != "pdf" for _content, kind in results):
            # Odoo's test mode renders the HTML instead of the PDF.
            return b"".join(content for content, _kind in results), results[0][1]
        return merge_pdf([content for content, _kind in results]), "pdf"

    @api.model
    def _get_shipping_label_zoom(self):
        """How much the labels' content is enlarged for the wkhtmltopdf at hand.
        The builds without Odoo's patched Qt (Debian's, Ubuntu's) ignore *disable
        smart shrinking* and print the page at about 77 % of its size; the label
        is enlarged back so its text and barcode have the size they are given."""
        return 1 / UNPATCHED_QT_SCALE if _wkhtmltopdf_unpatched() else 1.0

    @api.model
    def _get_shipping_label_page_ratio(self):
        """The height of the labels' paper (less its margins) in % of its width:
        the label is as high as the page whatever the scale wkhtmltopdf prints at,
        a little less so that rounding never pushes it onto a second page."""
        paperformat = self.env.ref(SHIPPING_LABEL_ACTION).get_paperformat()
        width = paperformat.print_page_width - (
            paperformat.margin_left + paperformat.margin_right
        )
        height = paperformat.print_page_height - (
            paperformat.margin_top + paperformat.margin_bottom
        )
        return round(height / width * 100 * 0.985, 2)
