# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class SaleReturnRejectWizard(models.TransientModel):
    _name = "sale.return.reject.wizard"
    _description = "Reject Return Requests"

    request_ids = fields.Many2many("sale.return.request", string="Return Requests")
    reason = fields.Text(required=True, help="Sent to the customer.")

    def action_reject(self):
        self.ensure_one()
        self.request_ids._reject(self.reason)
        return {"type": "ir.actions.act_window_close"}
