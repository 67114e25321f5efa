# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models
from odoo.tools import SQL
from odoo.tools.sql import index_exists

from ..models.sale_order import TRACKING_STAGES

# The steps of the after-sale, each with the milestone column that ends it.
LEAD_TIME_STEPS = {
    "payment_hours": "payment_date",
    "confirmation_hours": "confirmation_date",
    "pick_hours": "pick_date",
    "pack_hours": "pack_date",
    "ship_hours": "ship_date",
    "delivery_hours": "delivery_date",
}


class WebsiteSaleLeadTimeReport(models.Model):
    """One row a checked-out web order: hours from its checkout to each step.

    Read from the order and its milestones (one row each, see
    ``sale.order.tracking.milestone``): no read groups the timeline. The pivot
    averages the hours; the dashboard adds their median and 90th percentile.
    """

    _name = "website.sale.lead.time.report"
    _description = "After-Sale Lead Times Analysis"
    _auto = False
    _rec_name = "order_id"
    _order = "checkout_date desc"

    _depends = {
        "sale.order": [
            "website_id",
            "company_id",
            "team_id",
            "user_id",
            "carrier_id",
            "partner_id",
            "currency_id",
            "checkout_date",
            "tracking_stage",
            "amount_total",
            "commitment_date",
            "state",
        ],
    }

    order_id = fields.Many2one("sale.order", readonly=True)
    website_id = fields.Many2one("website", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    carrier_id = fields.Many2one("delivery.carrier", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    checkout_date = fields.Datetime(string="Checkout", readonly=True)
    tracking_stage = fields.Selection(TRACKING_STAGES, readonly=True)
    amount_total = fields.Monetary(string="Total", readonly=True)
    order_count = fields.Integer(string="Orders", readonly=True)
    payment_hours = fields.Float(
        string="Checkout to Payment (h)", readonly=True, aggregator="avg"
    )
    confirmation_hours = fields.Float(
        string="Checkout to Confirmation (h)", readonly=True, aggregator="avg"
    )
    pick_hours = fields.Float(
        string="Checkout to Pick (h)", readonly=True, aggregator="avg"
    )
    pack_hours = fields.Float(
        string="Checkout to Pack (h)", readonly=True, aggregator="avg"
    )
    ship_hours = fields.Float(
        string="Checkout to Shipment (h)", readonly=True, aggregator="avg"
    )
    delivery_hours = fields.Float(
        string="Checkout to Delivery (h)", readonly=True, aggregator="avg"
    )
    promised_date = fields.Datetime(
        readonly=True,
        help="The order's commitment date, else the scheduled date of its first "
        "delivery.",
    )
    delivery_date = fields.Datetime(string="Delivered On", readonly=True)
    on_time_count = fields.Integer(string="Shipped on Time", readonly=True)
    late_count = fields.Integer(string="Shipped Late", readonly=True)
    on_time_rate = fields.Float(
        string="On-Time Shipping (%)",
        readonly=True,
        aggregator="avg",
        help="Of the orders delivered or due, the share delivered by the promised "
        "date.",
    )

    def init(self):
        # The orders of a period as the report reads them (its rows, its record
        # rules, the on-time shipping), from the index alone once the table is
        # vacuumed: not from the order table, wide and holding every cart.
        if not index_exists(self.env.cr, "sale_order_lead_time_report_index"):
            self.env.cr.execute(
                SQL(
                    "CREATE INDEX sale_order_lead_time_report_index "
                    "ON sale_order (checkout_date) INCLUDE (id, website_id, "
                    "company_id, user_id, state, commitment_date) "
                    "WHERE website_id IS NOT NULL AND checkout_date IS NOT NULL"
                )
            )

    @property
    def _table_query(self):
        # date_part() is a float; EXTRACT() a numeric since PostgreSQL 14, whose
        # arithmetic and cast to the percentiles' float cost the dashboard's
        # year of orders more than its sorts.
        hours = ",\n".join(
            f"date_part('epoch', m.{column} - so.checkout_date) / 3600 AS {name}"
            for name, column in LEAD_TIME_STEPS.items()
        )
        return f"""
            SELECT so.id AS id,
                   so.id AS order_id,
                   so.website_id,
                   so.company_id,
                   so.team_id,
                   so.user_id,
                   so.carrier_id,
                   so.partner_id,
                   so.currency_id,
                   so.checkout_date,
                   so.tracking_stage,
                   so.amount_total,
                   1 AS order_count,
                   {hours},
                   promised.date AS promised_date,
                   m.delivery_date,
                   (timing.on_time IS TRUE)::int AS on_time_count,
                   (timing.on_time IS FALSE)::int AS late_count,
                   CASE WHEN timing.on_time THEN 100.0
                        WHEN NOT timing.on_time THEN 0.0 END AS on_time_rate
              FROM sale_order so
              LEFT JOIN sale_order_tracking_milestone m ON m.order_id = so.id
             CROSS JOIN LATERAL (
                   SELECT COALESCE(so.commitment_date, m.scheduled_date) AS date
             ) promised
             CROSS JOIN LATERAL (
                   SELECT CASE
                          WHEN so.state <> 'sale' OR promised.date IS NULL THEN NULL
                          WHEN m.delivery_date IS NOT NULL
                              THEN m.delivery_date <= promised.date
                          WHEN promised.date < (NOW() AT TIME ZONE 'UTC') THEN FALSE
                          END AS on_time
             ) timing
             WHERE so.website_id IS NOT NULL
               AND so.checkout_date IS NOT NULL
        """
