# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, models


class AccountMoveSend(models.AbstractModel):
    _inherit = "account.move.send"

    @api.model
    def _send_mail(self, move, mail_template, **kwargs):
        result = super()._send_mail(move, mail_template, **kwargs)
        if move.web_invoice_send_state == "to_send":
            # The email whose delivery the website's invoicing policy follows.
            move.sudo().web_invoice_message_id = (
                self.env["mail.message"]
                .sudo()
                .search(
                    [
                        ("model", "=", "account.move"),
                        ("res_id", "=", move.id),
                        ("message_type", "=", "comment"),
                    ],
                    order="id desc",
                    limit=1,
                )
            )
        # Accountants may send invoices of orders they cannot read.
        move.sudo().line_ids.sale_line_ids.order_id._add_tracking_event(
            "invoice_sent", invoice_id=move.id, description=move.name
        )
        return result
