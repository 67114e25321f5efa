# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The dates of each web order's after-sale steps, read once from its timeline.

The after-sale reports read one row an order here instead of grouping the whole
timeline at every read: a row is rewritten, by one statement for a batch of
orders, when an event of a step is written (and filled for all orders when the
addon is installed). A pivot over 100,000 orders then joins two tables of
100,000 rows instead of grouping 1,000,000 events (see the bench in README).
"""

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import column_exists

# The events that move a milestone of their order.
MILESTONE_EVENTS = ("payment_received", "confirmed", "delivery_step", "shipped")

# Rewrites the milestones of the orders of ids %(order_ids)s (all when NULL).
# Pick and pack are the transfers of the warehouse's pick and pack types (the
# steps of a two- or three-step delivery); ship is the first delivery to the
# customer; the order is delivered when none of its deliveries to the customer
# is left to do, on the date of the last one.
REBUILD_QUERY = """
    INSERT INTO sale_order_tracking_milestone (
        order_id, payment_date, confirmation_date, pick_date, pack_date,
        ship_date, delivery_date, scheduled_date)
    SELECT so.id, ev.payment_date, ev.confirmation_date, ev.pick_date,
           ev.pack_date, ev.ship_date,
           CASE WHEN dl.open_count = 0 AND dl.done_count > 0
                THEN ev.last_ship_date END,
           dl.scheduled_date
      FROM sale_order so
      LEFT JOIN LATERAL (
           SELECT MIN(e.date) FILTER (WHERE e.event_type = 'payment_received')
                      AS payment_date,
                  MIN(e.date) FILTER (WHERE e.event_type = 'confirmed')
                      AS confirmation_date,
                  MIN(e.date) FILTER (WHERE e.event_type = 'delivery_step'
                                        AND spt.id = wh.pick_type_id) AS pick_date,
                  MIN(e.date) FILTER (WHERE e.event_type = 'delivery_step'
                                        AND spt.id = wh.pack_type_id) AS pack_date,
                  MIN(e.date) FILTER (WHERE e.event_type = 'shipped') AS ship_date,
                  MAX(e.date) FILTER (WHERE e.event_type = 'shipped')
                      AS last_ship_date
             FROM sale_order_tracking_event e
             LEFT JOIN stock_picking sp ON sp.id = e.picking_id
             LEFT JOIN stock_picking_type spt ON spt.id = sp.picking_type_id
             LEFT JOIN stock_warehouse wh ON wh.id = spt.warehouse_id
            WHERE e.order_id = so.id
              AND e.event_type IN %(events)s
      ) ev ON TRUE
      LEFT JOIN LATERAL (
           SELECT COUNT(*) FILTER (WHERE sp.state NOT IN ('done', 'cancel'))
                      AS open_count,
                  COUNT(*) FILTER (WHERE sp.state = 'done') AS done_count,
                  MIN(sp.scheduled_date) FILTER (WHERE sp.state <> 'cancel')
                      AS scheduled_date
             FROM stock_picking sp
             JOIN stock_picking_type spt ON spt.id = sp.picking_type_id
             JOIN stock_location dest ON dest.id = sp.location_dest_id
            WHERE sp.sale_id = so.id
              AND spt.code IN ('outgoing', 'dropship')
              AND dest.usage = 'customer'
      ) dl ON TRUE
     WHERE so.website_id IS NOT NULL
       AND so.checkout_date IS NOT NULL
       AND (%(order_ids)s::int[] IS NULL OR so.id = ANY(%(order_ids)s::int[]))
    ON CONFLICT (order_id) DO UPDATE SET
        payment_date = EXCLUDED.payment_date,
        confirmation_date = EXCLUDED.confirmation_date,
        pick_date = EXCLUDED.pick_date,
        pack_date = EXCLUDED.pack_date,
        ship_date = EXCLUDED.ship_date,
        delivery_date = EXCLUDED.delivery_date,
        scheduled_date = EXCLUDED.scheduled_date
"""


class SaleOrderTrackingMilestone(models.Model):
    _name = "sale.order.tracking.milestone"
    _description = "Order After-Sale Milestones"
    _log_access = False
    _rec_name = "order_id"

    order_id = fields.Many2one(
        "sale.order", required=True, ondelete="cascade", readonly=True
    )
    payment_date = fields.Datetime(readonly=True)
    confirmation_date = fields.Datetime(readonly=True)
    pick_date = fields.Datetime(readonly=True)
    pack_date = fields.Datetime(readonly=True)
    ship_date = fields.Datetime(string="First Shipment", readonly=True)
    delivery_date = fields.Datetime(string="Delivered", readonly=True)
    scheduled_date = fields.Datetime(
        string="Delivery Scheduled Date",
        readonly=True,
        help="The scheduled date of the first delivery to the customer: the "
        "promised date when the order has no commitment date.",
    )

    _sql_constraints = [
        ("order_uniq", "UNIQUE(order_id)", "An order has one row of milestones."),
    ]

    def init(self):
        # Filled once for the orders of before the install (none when the
        # addon's checkout date is still to add), then event by event.
        self.env.cr.execute(f"SELECT 1 FROM {self._table} LIMIT 1")  # noqa: S608
        if not self.env.cr.rowcount and column_exists(
            self.env.cr, "sale_order", "checkout_date"
        ):
            self._rebuild()

    @api.model
    def _rebuild(self, orders=None):
        """Rewrite the milestones of ``orders`` (of every web order when None)."""
        if orders is not None and not orders:
            return
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                REBUILD_QUERY,
                events=MILESTONE_EVENTS,
                order_ids=list(orders.ids) if orders is not None else None,
            )
        )
        self.invalidate_model()


class SaleOrderTrackingEvent(models.Model):
    _inherit = "sale.order.tracking.event"

    @api.model_create_multi
    def create(self, vals_list):
        events = super().create(vals_list)
        events._rebuild_milestones()
        return events

    def write(self, vals):
        result = super().write(vals)
        if {"date", "event_type", "picking_id"} & set(vals):
            self._rebuild_milestones()
        return result

    def _rebuild_milestones(self):
        orders = self.filtered(lambda e: e.event_type in MILESTONE_EVENTS).order_id
        self.env["sale.order.tracking.milestone"].sudo()._rebuild(orders)
