# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The customer's tracking page of an order: its step bar, timeline, parcels
(what is in each and when it comes) and documents."""

from collections import defaultdict
from datetime import timedelta

from odoo import fields, models
from odoo.tools import float_compare

# The steps of the customer's tracking page, and the stage each one stands for.
TRACKING_PAGE_STEPS = ("ordered", "confirmed", "in_preparation", "shipped")
# The last step, once a carrier reports on the order's deliveries.
TRACKING_PAGE_DELIVERED_STEP = "delivered"

TRACKING_PAGE_STEP_OF_STAGE = {
    "quotation": 0,
    "cart": 0,
    "awaiting_payment": 0,
    "to_confirm": 0,
    "confirmed": 1,
    "in_preparation": 2,
    "partially_shipped": 3,
    "shipped": 4,  # every step done, or Delivered to come
    "out_for_delivery": 4,
    "delivered": 5,
    "return_requested": 5,
    "returned": 5,
    "partially_refunded": 5,
    "refunded": 5,
    "exchange": 5,  # of the exchanged order; its replacement's is its delivery's
}


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _get_tracking_page_url(self):
        """The tracking page, with the access token, for emails and the portal."""
        self.ensure_one()
        return self.get_base_url() + self.get_portal_url(suffix="/tracking")

    def _get_tracking_page_values(self):
        """What the tracking page shows; ``self`` is the order the visitor may see."""
        self.ensure_one()
        deliveries = self._get_tracking_page_deliveries()
        parcels, lines_to_come = self._get_tracking_page_parcels(deliveries)
        return {
            "steps": self._get_tracking_page_steps(),
            "events": self.env["sale.order.tracking.event"]
            .sudo()
            .search(
                [("order_id", "=", self.id), ("customer_visible", "=", True)],
                order="date, id",
            ),
            "deliveries": deliveries,
            "parcels": parcels,
            "lines_to_come": lines_to_come,
            "arrives_by": self._get_arrives_by(parcels, lines_to_come),
            "invoices": self.invoice_ids.filtered(lambda move: move.state == "posted"),
            "invoice_pending": self._is_web_invoice_pending(),
        }

    def _get_tracking_page_steps(self):
        """``[(label, state)]`` of the step bar, state in done / current / todo."""
        self.ensure_one()
        labels = {
            "ordered": self.env._("Ordered"),
            "confirmed": self.env._("Confirmed"),
            "in_preparation": self.env._("In Preparation"),
            "shipped": self.env._("Partially Shipped")
            if self.tracking_stage == "partially_shipped"
            else self.env._("Shipped"),
            "delivered": self.env._("Out for Delivery")
            if self.tracking_stage == "out_for_delivery"
            else self.env._("Delivered"),
        }
        if self.tracking_stage == "cancelled":
            return []
        current = self._get_tracking_page_current_step()
        steps = TRACKING_PAGE_STEPS
        if self._has_carrier_status():
            steps += (TRACKING_PAGE_DELIVERED_STEP,)
        return [
            (
                labels[step],
                "done"
                if index < current
                else "current"
                if index == current
                else "todo",
            )
            for index, step in enumerate(steps)
        ]

    def _get_tracking_page_current_step(self):
        """The index of the step bar's current step."""
        self.ensure_one()
        return TRACKING_PAGE_STEP_OF_STAGE[self.tracking_stage]

    def _get_tracking_page_deliveries(self):
        # In the order they were made: the first delivery, then its backorders.
        return (
            self.picking_ids._filter_customer_deliveries()
            .filtered(lambda p: p.state != "cancel")
            .sorted("id")
        )

    def _get_arrives_by(self, parcels=None, lines_to_come=None):
        """The day the order's last parcel should arrive, or None (a cancelled
        order, or nothing to deliver). Without ``parcels``, they are read."""
        self.ensure_one()
        if self.state == "cancel":
            return None
        if parcels is None:
            parcels, lines_to_come = self._get_tracking_page_parcels(
                self._get_tracking_page_deliveries()
            )
        dates = [parcel["expected_date"] for parcel in parcels] + [
            line["expected_date"] for line in lines_to_come
        ]
        return max(dates, default=None)

    def _get_tracking_page_parcels(self, deliveries):
        """``(parcels, lines to come)`` of the page: each delivery with its items
        and expected date, and the order lines in no delivery yet.

        Reads the deliveries, their moves and products together: the page's
        queries do not grow with its lines or deliveries.
        """
        self.ensure_one()
        today = fields.Date.context_today(self)
        dates = deliveries._get_delivery_dates(today)
        moves = deliveries.move_ids.filtered(lambda m: m.state != "cancel")
        moves_of = moves.grouped("picking_id")
        parcels = []
        for picking in deliveries:
            expected, promised, late = dates[picking]
            shipped = picking.state == "done"
            items = [
                {
                    "product": move.product_id,
                    "quantity": move.quantity if shipped else move.product_uom_qty,
                    "uom": move.product_uom,
                    # Not reserved yet: the product is still to be received.
                    "waiting": not shipped and move.state != "assigned",
                }
                for move in moves_of.get(picking, moves.browse())
                if not shipped or move.quantity
            ]
            parcels.append(
                {
                    "picking": picking,
                    "items": items,
                    "expected_date": expected,
                    "promised_date": promised,
                    "late": late,
                    "shipped": shipped,
                    # The rest of a partly shipped delivery.
                    "backorder": bool(picking.backorder_id) and not shipped,
                    "tracking_url": picking.carrier_tracking_url
                    if shipped
                    and picking.carrier_tracking_url
                    and picking.carrier_tracking_url.startswith("http")
                    else None,
                }
            )
        return parcels, self._get_tracking_page_lines_to_come(moves, today)

    def _get_tracking_page_lines_to_come(self, moves, today):
        """The goods ordered but in no delivery yet, with their expected date:
        the commitment date, else the line's lead time (from today at the
        earliest) plus the order's carrier's transit days."""
        if self.state != "sale":
            return []
        planned = defaultdict(float)
        for move in moves.filtered("sale_line_id"):
            line = move.sale_line_id
            quantity = move.quantity if move.state == "done" else move.product_uom_qty
            planned[line] += move.product_uom._compute_quantity(
                quantity, line.product_uom, round=False
            )
        committed = self.env["stock.picking"]._to_local_date(self.commitment_date)
        transit = timedelta(days=self.carrier_id.transit_days)
        lines = []
        for line in self.order_line:
            if line.display_type or line.is_delivery or line.product_type != "consu":
                continue
            left = line.product_uom_qty - planned[line]
            if float_compare(left, 0, precision_rounding=line.product_uom.rounding) > 0:
                lead = (
                    self.env["stock.picking"]._to_local_date(line._expected_date())
                    or today
                )
                lines.append(
                    {
                        "line": line,
                        "quantity": left,
                        "expected_date": committed or max(lead, today) + transit,
                    }
                )
        return lines
