# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, models


class AccountMoveSend(models.AbstractModel):
    _inherit = "account.move.send"

    @api.model
    def _send_mail(self, move, mail_template, **kwargs):
        result = super()._send_mail(move, mail_template, **kwargs)
        # Accountants may send invoices of orders they cannot read.
        move.sudo().line_ids.sale_line_ids.order_id._add_tracking_event(
            "invoice_sent", invoice_id=move.id, description=move.name
        )
        return result
