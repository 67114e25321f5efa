# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models
from odoo.exceptions import UserError


class WebsiteSaleOrderExceptionWizard(models.TransientModel):
    """Assign, postpone or resolve the chosen order exceptions at once."""

    _name = "website.sale.order.exception.wizard"
    _description = "Handle Order Exceptions"

    exception_ids = fields.Many2many(
        "website.sale.order.exception",
        "website_sale_order_exception_wizard_rel",
        "wizard_id",
        "exception_id",
        string="Exceptions",
    )
    action = fields.Selection(
        [("assign", "Assign"), ("snooze", "Postpone"), ("resolve", "Resolve")],
        required=True,
        default="assign",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Assign To",
        domain="[('share', '=', False)]",
    )
    snoozed_until = fields.Date(string="Postpone Until")
    note = fields.Text(string="Resolution Note")

    def action_apply(self):
        self.ensure_one()
        exceptions = self.exception_ids
        if not exceptions:
            raise UserError(self.env._("Choose the exceptions to handle."))
        if self.action == "assign":
            exceptions.action_assign(self.user_id)
        elif self.action == "snooze":
            exceptions.action_snooze(self.snoozed_until)
        else:
            exceptions.action_resolve(self.note)
        return {"type": "ir.actions.act_window_close"}
