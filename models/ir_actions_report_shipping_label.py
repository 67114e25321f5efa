# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The shipping labels print on the paper of each delivery's carrier: one PDF for
all the selected transfers, one wkhtmltopdf run a label size."""

from odoo import models
from odoo.tools.pdf import merge_pdf

SHIPPING_LABEL_REPORT_NAME = "website_sale_order_tracking.report_shipping_label"


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
