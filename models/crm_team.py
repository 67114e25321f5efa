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

    def _next_round_robin_user(self):
        """Return the member who gets the next web order of this team.

        The counter is incremented in the database with one UPDATE: the row lock it
        takes serialises concurrent checkouts until their transaction ends, so two
        workers never read the same value and members are served in turn.
        """
        self.ensure_one()
        members = self.member_ids.filtered("active").sorted("id")
        if not members:
            return self.env["res.users"]
        self.env.cr.execute(
            "UPDATE crm_team SET website_assignment_counter = "
            "COALESCE(website_assignment_counter, 0) + 1 "
            "WHERE id = %s RETURNING website_assignment_counter",
            (self.id,),
        )
        counter = self.env.cr.fetchone()[0]
        self.invalidate_recordset(["website_assignment_counter"])
        return members[(counter - 1) % len(members)]
