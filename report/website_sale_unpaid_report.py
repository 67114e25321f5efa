# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models

AGE_BUCKETS = [
    ("0_2", "0-2 days"),
    ("3_7", "3-7 days"),
    ("8_14", "8-14 days"),
    ("15", "15+ days"),
]


class WebsiteSaleUnpaidReport(models.Model):
    """One row a web order paid offline (wire transfer, pay on site) whose money
    has not arrived: its age since the checkout, in days and by bucket.

    Reads only the queue of orders to confirm (an index of the addon's).
    """

    _name = "website.sale.unpaid.report"
    _description = "Unpaid Offline Orders Analysis"
    _auto = False
    _rec_name = "order_id"
    _order = "checkout_date"

    _depends = {
        "sale.order": [
            "website_id",
            "company_id",
            "team_id",
            "user_id",
            "partner_id",
            "currency_id",
            "checkout_date",
            "tracking_stage",
            "amount_total",
        ],
    }

    order_id = fields.Many2one("sale.order", readonly=True)
    website_id = fields.Many2one("website", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    checkout_date = fields.Datetime(string="Checkout", readonly=True)
    age_days = fields.Integer(string="Age (days)", readonly=True, aggregator="avg")
    age_bucket = fields.Selection(AGE_BUCKETS, string="Age", readonly=True)
    order_count = fields.Integer(string="Orders", readonly=True)
    amount_total = fields.Monetary(string="Amount Due", readonly=True)

    @property
    def _table_query(self):
        return """
            SELECT so.id AS id,
                   so.id AS order_id,
                   so.website_id,
                   so.company_id,
                   so.team_id,
                   so.user_id,
                   so.partner_id,
                   so.currency_id,
                   so.checkout_date,
                   age.days AS age_days,
                   CASE WHEN age.days <= 2 THEN '0_2'
                        WHEN age.days <= 7 THEN '3_7'
                        WHEN age.days <= 14 THEN '8_14'
                        ELSE '15' END AS age_bucket,
                   1 AS order_count,
                   so.amount_total
              FROM sale_order so
             CROSS JOIN LATERAL (
                   SELECT EXTRACT(DAY FROM (NOW() AT TIME ZONE 'UTC')
                                           - so.checkout_date)::int AS days
             ) age
             WHERE so.tracking_stage = 'to_confirm'
               AND so.website_id IS NOT NULL
        """
