# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Assignment of web orders to the sales team and salesperson of the website."""

from markupsafe import Markup

from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _assign_web_order(self):
        """Give each order the sales team and salesperson of its website's rules.

        The warehouse chosen when the cart was made stays: the customer saw the
        stock of that one, whoever the salesperson is.
        """
        warehouse_field = self._fields["warehouse_id"]
        for order in self:
            assignment = order.website_id._get_web_order_assignment(order)
            if assignment is None:
                continue
            team, user, reason = assignment
            with self.env.protecting([warehouse_field], order):
                order.with_context(tracking_disable=True).write(
                    {"team_id": team.id, "user_id": user.id}
                )
            body = self.env._(
                "Web order assigned to sales team %(team)s and salesperson "
                "%(user)s (%(reason)s).",
                team=team.name or self.env._("none"),
                user=user.name or self.env._("none"),
                reason=reason,
            )
            order._message_log(body=Markup("<p>%s</p>") % body)
