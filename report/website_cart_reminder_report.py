# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class WebsiteCartReminderReport(models.Model):
    """One row an abandoned web cart: its reminders and whether it was recovered.

    A cart counts as abandoned once it got a reminder, or once it has waited
    longer than its website's first delay with a known customer.
    """

    _name = "website.cart.reminder.report"
    _description = "Abandoned-Cart Reminders Analysis"
    _auto = False
    _rec_name = "order_id"
    _order = "date desc"

    order_id = fields.Many2one("sale.order", string="Cart", readonly=True)
    website_id = fields.Many2one("website", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    date = fields.Datetime(string="Last Cart Change", readonly=True)
    reminder_date = fields.Datetime(string="Last Reminder", readonly=True)
    last_step = fields.Integer(string="Last Step Sent", readonly=True, aggregator=False)
    abandoned_count = fields.Integer(string="Carts Abandoned", readonly=True)
    reminder_count = fields.Integer(string="Reminders Sent", readonly=True)
    step_1_count = fields.Integer(string="Step 1 Sent", readonly=True)
    step_2_count = fields.Integer(string="Step 2 Sent", readonly=True)
    step_3_count = fields.Integer(string="Step 3 Sent", readonly=True)
    step_4_count = fields.Integer(string="Step 4 Sent", readonly=True)
    step_5_count = fields.Integer(string="Step 5 Sent", readonly=True)
    recovered_count = fields.Integer(string="Carts Recovered", readonly=True)
    recovered_amount = fields.Monetary(string="Recovered Revenue", readonly=True)
    cart_amount = fields.Monetary(string="Abandoned Amount", readonly=True)

    @property
    def _table_query(self):
        steps = ",\n".join(
            f"(so.cart_reminder_step >= {n})::int AS step_{n}_count"
            for n in range(1, 6)
        )
        return f"""
            SELECT so.id AS id,
                   so.id AS order_id,
                   so.website_id,
                   so.company_id,
                   so.partner_id,
                   so.currency_id,
                   so.cart_update_date AS date,
                   so.cart_reminder_date AS reminder_date,
                   so.cart_reminder_step AS last_step,
                   1 AS abandoned_count,
                   so.cart_reminder_step AS reminder_count,
                   {steps},
                   recovered.flag AS recovered_count,
                   recovered.flag * so.amount_total AS recovered_amount,
                   so.amount_total AS cart_amount
              FROM sale_order so
              JOIN website w ON w.id = so.website_id
              JOIN res_users pu ON pu.id = w.user_id
             CROSS JOIN LATERAL (
                   SELECT (so.cart_reminder_step > 0 AND (
                               so.state = 'sale'
                               OR (so.checkout_date IS NOT NULL
                                   AND so.state <> 'cancel')))::int AS flag
             ) recovered
             WHERE so.cart_update_date IS NOT NULL
               AND so.partner_id <> pu.partner_id
               AND (so.cart_reminder_step > 0
                    OR (so.tracking_stage = 'cart'
                        AND so.amount_total > 0
                        AND so.cart_update_date <= (NOW() AT TIME ZONE 'UTC')
                            - make_interval(secs => w.cart_abandoned_delay * 3600)))
        """
