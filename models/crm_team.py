# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class CrmTeam(models.Model):
    _inherit = "crm.team"

    website_assignment_counter = fields.Integer(
        string="Web Orders Assigned (Round-Robin)",
        readonly=True,
        copy=False,
        help="Number of web orders given to this team's members in round-robin; "
        "the next order goes to the member after the last one served.",
    )

    order_exception_count = fields.Integer(
        compute="_compute_order_exception_count",
        help="Web orders of the team that need a person (open order exceptions).",
    )

    def _compute_order_exception_count(self):
        counts = dict(
            self.env["website.sale.order.exception"]._read_group(
                [("team_id", "in", self.ids), ("state", "=", "open")],
                ["team_id"],
                ["__count"],
            )
        )
        for team in self:
            team.order_exception_count = counts.get(team, 0)

    def action_open_order_exceptions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "website_sale_order_tracking.website_sale_order_exception_action"
        )
        action["domain"] = [("team_id", "=", self.id)]
        action["context"] = {"search_default_open": 1, "search_default_group_kind": 1}
        return action

    def _next_round_robin_user(self):
        """Return the member who gets the next web order of this team.

        One statement increments the team's counter and lists its active members:
        the row lock of the UPDATE serialises concurrent checkouts until their
        transaction ends (a concurrent one is retried as any request is), so two
        workers never read the same value and members are served in turn. Checkout
        pays a single query for it.
        """
        self.ensure_one()
        self.env.cr.execute(
            """
            WITH counter AS (
                UPDATE crm_team
                   SET website_assignment_counter =
                       COALESCE(website_assignment_counter, 0) + 1
                 WHERE id = %(team)s
             RETURNING website_assignment_counter
            ), members AS (
                SELECT users.id, partner.name
                  FROM crm_team_member member
                  JOIN res_users users ON users.id = member.user_id
                  JOIN res_partner partner ON partner.id = users.partner_id
                 WHERE member.crm_team_id = %(team)s
                   AND member.active AND users.active
            )
            SELECT (SELECT website_assignment_counter FROM counter),
                   ARRAY(SELECT id FROM members ORDER BY id),
                   ARRAY(SELECT name FROM members ORDER BY id)
            """,
            {"team": self.id},
        )
        counter, user_ids, names = self.env.cr.fetchone()
        self.invalidate_recordset(["website_assignment_counter"])
        if not user_ids:
            return self.env["res.users"]
        index = (counter - 1) % len(user_ids)
        user = self.env["res.users"].browse(user_ids[index])
        # The chatter note names the member: spare checkout the query for it.
        self.env.cache.update(user, user._fields["name"], [names[index]])
        return user
