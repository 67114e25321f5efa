# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        # Accountants may post invoices of orders they cannot read.
        for move in posted.sudo().filtered(lambda m: m.move_type == "out_invoice"):
            move.line_ids.sale_line_ids.order_id._add_tracking_event(
                "invoice_posted", invoice_id=move.id, description=move.name
            )
        return posted
