# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Assignment of web orders to sales teams and salespeople."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

ASSIGNMENT_MODES = [
    ("native", "Odoo Default"),
    ("fixed", "Fixed Salesperson"),
    ("round_robin", "Round-Robin in the Sales Team"),
    ("customer", "Customer's Own Salesperson"),
]


class Website(models.Model):
    _inherit = "website"

    order_assignment_mode = fields.Selection(
        ASSIGNMENT_MODES,
        string="Order Assignment",
        required=True,
        default="native",
        help="How a web order gets its salesperson when its checkout is done:\n"
        "- Odoo Default: the website's salesperson, else the customer's own;\n"
        "- Fixed Salesperson: always the website's salesperson;\n"
        "- Round-Robin: each member of the sales team in turn;\n"
        "- Customer's Own Salesperson: the customer's salesperson when set, "
        "else the website's.",
    )

    order_assignment_rule_ids = fields.One2many(
        "website.order.assignment.rule",
        "website_id",
        string="Assignment Rules",
        help="Checked in order at checkout: the first rule that matches the "
        "order's customer and delivery country gives its team and salesperson.",
    )

    @api.constrains("order_assignment_mode", "salesteam_id", "salesperson_id")
    def _check_order_assignment_mode(self):
        for website in self:
            mode = website.order_assignment_mode
            if mode == "round_robin" and not website.salesteam_id:
                raise ValidationError(
                    self.env._(
                        "Website %(website)s: round-robin assignment needs a sales "
                        "team whose members receive the orders.",
                        website=website.name,
                    )
                )
            if mode == "fixed" and not website.salesperson_id:
                raise ValidationError(
                    self.env._(
                        "Website %(website)s: a fixed assignment needs a salesperson.",
                        website=website.name,
                    )
                )

    def _get_web_order_assignment(self, order):
        """Return ``(team, user, reason)`` for a web order whose checkout is done.

        Return ``None`` when the website keeps Odoo's own assignment.
        """
        self.ensure_one()
        address = order.partner_shipping_id or order.partner_id
        rule = self.order_assignment_rule_ids.filtered(lambda r: r._matches(address))[
            :1
        ]
        mode = self.order_assignment_mode
        if not rule and mode == "native":
            return None
        team = rule.team_id or self.salesteam_id or order.team_id
        reason = self._get_assignment_reason(mode)
        if rule:
            reason = self.env._(
                "rule %(rule)s, %(mode)s", rule=rule.display_name, mode=reason
            )
        if rule.user_id:
            return team, rule.user_id, reason
        if mode == "fixed":
            user = self.salesperson_id
        elif mode == "round_robin":
            user = team._next_round_robin_user() or self.salesperson_id
        elif mode == "customer":
            commercial = order.partner_id.commercial_partner_id
            user = order.partner_id.user_id or commercial.user_id or self.salesperson_id
        else:
            user = order.user_id
        return team, user, reason

    def _get_assignment_reason(self, mode):
        # Code translations: no query on the checkout, unlike selection labels.
        return {
            "native": self.env._("Odoo's default"),
            "fixed": self.env._("fixed salesperson"),
            "round_robin": self.env._("round-robin"),
            "customer": self.env._("customer's salesperson"),
        }[mode]
