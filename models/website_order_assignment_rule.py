# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models


class WebsiteOrderAssignmentRule(models.Model):
    _name = "website.order.assignment.rule"
    _description = "Web Order Assignment Rule"
    _order = "website_id, sequence, id"

    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    website_id = fields.Many2one(
        "website", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="website_id.company_id", store=True)
    customer_type = fields.Selection(
        [
            ("any", "Any Customer"),
            ("company", "Companies"),
            ("individual", "Individuals"),
        ],
        required=True,
        default="any",
        help="Companies are customers that are a company or belong to one.",
    )
    country_group_id = fields.Many2one(
        "res.country.group",
        help="Only orders delivered to a country of this group match. "
        "Leave empty for every country.",
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        required=True,
        help="The sales team of the orders this rule matches.",
        check_company=True,
        ondelete="cascade",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        domain="[('share', '=', False)]",
        help="Leave empty to choose the salesperson with the website's assignment "
        "mode among the members of the team.",
    )

    @api.depends("customer_type", "country_group_id", "team_id")
    def _compute_display_name(self):
        types = dict(self._fields["customer_type"]._description_selection(self.env))
        for rule in self:
            parts = [types[rule.customer_type]]
            if rule.country_group_id:
                parts.append(rule.country_group_id.name)
            rule.display_name = "%s → %s" % (" / ".join(parts), rule.team_id.name or "")

    def _matches(self, partner):
        """Whether an order delivered to ``partner`` falls under this rule."""
        self.ensure_one()
        is_company = bool(partner.commercial_partner_id.is_company)
        if self.customer_type == "company" and not is_company:
            return False
        if self.customer_type == "individual" and is_company:
            return False
        if self.country_group_id:
            return partner.country_id in self.country_group_id.country_ids
        return True
