# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models
from odoo.tools import SQL
from odoo.tools.sql import index_exists

RETURN_REPORT_KINDS = [
    ("sold", "Delivered"),
    ("returned", "Return Asked"),
    ("refunded", "Refunded"),
]

# The columns of the order of each row, shared by the three parts of the view.
ORDER_COLUMNS = """
    so.id AS order_id, so.website_id, so.company_id, so.team_id, so.user_id,
    so.partner_id, so.currency_id, sol.product_id, pt.categ_id
"""

# The product's category of each row. Left joins on their primary keys (the line
# has a product, see PRODUCT_LINE): PostgreSQL leaves them out of the reads that
# need no category, such as the dashboard's sums by product over the year's
# order lines.
PRODUCT_JOINS = """
    LEFT JOIN product_product pp ON pp.id = sol.product_id
    LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
"""
PRODUCT_LINE = "sol.product_id IS NOT NULL"


class WebsiteSaleReturnReport(models.Model):
    """Returns and refunds of web orders, by product, category and reason.

    Three kinds of rows, so that one pivot sets what was returned against what
    was delivered: a delivered order line (its delivered quantity, before the
    returns of its return requests took it back), a line of a
    return request that is not rejected (its quantity, reason, and the hours
    from the request to the order's refund), a line of a posted credit note of
    the order (the amount refunded). The return rate of a product is its
    returned quantity over its delivered quantity; the dashboard shows it.
    """

    _name = "website.sale.return.report"
    _description = "Returns and Refunds Analysis"
    _auto = False
    _rec_name = "order_id"
    _order = "date desc"

    _depends = {
        "sale.order": [
            "website_id",
            "company_id",
            "team_id",
            "user_id",
            "partner_id",
            "currency_id",
            "state",
            "date_order",
        ],
        "sale.order.line": [
            "order_id",
            "product_id",
            "qty_delivered",
            "is_delivery",
            "price_reduce_taxinc",
        ],
        "sale.return.request": ["order_id", "state", "request_date"],
        "sale.return.request.line": [
            "request_id",
            "sale_line_id",
            "quantity",
            "reason_id",
        ],
        "account.move": ["move_type", "state", "date"],
        "account.move.line": [
            "move_id",
            "display_type",
            "price_total",
            "sale_line_ids",
        ],
        "product.product": ["product_tmpl_id"],
        "product.template": ["categ_id"],
        "sale.order.tracking.event": ["order_id", "event_type", "date"],
    }

    kind = fields.Selection(RETURN_REPORT_KINDS, string="Row", readonly=True)
    order_id = fields.Many2one("sale.order", readonly=True)
    website_id = fields.Many2one("website", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    categ_id = fields.Many2one(
        "product.category", string="Product Category", readonly=True
    )
    reason_id = fields.Many2one(
        "sale.return.reason", string="Return Reason", readonly=True
    )
    request_id = fields.Many2one(
        "sale.return.request", string="Return Request", readonly=True
    )
    date = fields.Datetime(readonly=True)
    delivered_qty = fields.Float(string="Quantity Delivered", readonly=True)
    returned_qty = fields.Float(string="Quantity Returned", readonly=True)
    return_count = fields.Integer(string="Return Lines", readonly=True)
    returned_amount = fields.Monetary(string="Returned Value", readonly=True)
    refunded_amount = fields.Monetary(readonly=True)
    refund_hours = fields.Float(
        string="Request to Refund (h)",
        readonly=True,
        aggregator="avg",
        help="Hours from the return request to the refund of its order.",
    )

    def init(self):
        # The confirmed web orders of a period as the report's delivered lines
        # read them (with its record rules), from the index alone once the table
        # is vacuumed: not from the order table, wide and holding every cart.
        if not index_exists(self.env.cr, "sale_order_return_report_index"):
            self.env.cr.execute(
                SQL(
                    "CREATE INDEX sale_order_return_report_index "
                    "ON sale_order (date_order) INCLUDE (id, website_id, "
                    "company_id, user_id) "
                    "WHERE website_id IS NOT NULL AND state = 'sale'"
                )
            )

    @property
    def _table_query(self):
        return f"""
            SELECT sol.id * 3 AS id, 'sold' AS kind, {ORDER_COLUMNS},
                   NULL::int AS reason_id, NULL::int AS request_id,
                   so.date_order AS date,
                   sol.qty_delivered + COALESCE(back.quantity, 0.0) AS delivered_qty,
                   0.0 AS returned_qty,
                   0 AS return_count, 0.0 AS returned_amount,
                   0.0 AS refunded_amount, NULL::float AS refund_hours
              FROM sale_order_line sol
              JOIN sale_order so ON so.id = sol.order_id
              {PRODUCT_JOINS}
              LEFT JOIN (
                   SELECT rl.sale_line_id, SUM(rl.quantity) AS quantity
                     FROM sale_return_request_line rl
                     JOIN sale_return_request r ON r.id = rl.request_id
                    WHERE r.state IN ('received', 'refunded')
                    GROUP BY rl.sale_line_id
              ) back ON back.sale_line_id = sol.id
             WHERE so.website_id IS NOT NULL
               AND so.state = 'sale'
               AND {PRODUCT_LINE}
               AND sol.qty_delivered + COALESCE(back.quantity, 0.0) > 0
               AND NOT sol.is_delivery
            UNION ALL
            SELECT rl.id * 3 + 1, 'returned', {ORDER_COLUMNS},
                   rl.reason_id, r.id, r.request_date,
                   0.0, rl.quantity, 1, rl.quantity * sol.price_reduce_taxinc,
                   0.0, date_part('epoch', refund.date - r.request_date) / 3600
              FROM sale_return_request_line rl
              JOIN sale_return_request r ON r.id = rl.request_id
              JOIN sale_order_line sol ON sol.id = rl.sale_line_id
              JOIN sale_order so ON so.id = sol.order_id
              {PRODUCT_JOINS}
              LEFT JOIN LATERAL (
                   SELECT MIN(e.date) AS date
                     FROM sale_order_tracking_event e
                    WHERE r.state = 'refunded'
                      AND e.order_id = r.order_id
                      AND e.event_type = 'refunded'
                      AND e.date >= r.request_date
              ) refund ON TRUE
             WHERE r.state <> 'rejected'
               AND {PRODUCT_LINE}
            UNION ALL
            SELECT aml.id * 3 + 2, 'refunded', {ORDER_COLUMNS},
                   NULL, NULL, am.date::timestamp,
                   0.0, 0.0, 0, 0.0, aml.price_total, NULL
              FROM account_move_line aml
              JOIN account_move am ON am.id = aml.move_id
              JOIN sale_order_line_invoice_rel rel ON rel.invoice_line_id = aml.id
              JOIN sale_order_line sol ON sol.id = rel.order_line_id
              JOIN sale_order so ON so.id = sol.order_id
              {PRODUCT_JOINS}
             WHERE am.move_type = 'out_refund'
               AND am.state = 'posted'
               AND aml.display_type = 'product'
               AND so.website_id IS NOT NULL
               AND {PRODUCT_LINE}
        """  # noqa: S608 (no value from outside)
