# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Where a delivery stands at the carrier's: the status of its latest carrier
event, the warehouse's "Mark as Delivered", and the customer's email when the
status changes."""

from odoo import api, fields, models
from odoo.exceptions import AccessError

from .delivery_carrier_event import CARRIER_STATUSES

# Computed from the carrier's events only: never written by a user (Sales users
# may write deliveries, and would mark parcels delivered).
CARRIER_STATUS_FIELDS = {
    "carrier_event_ids",
    "carrier_last_event_id",
    "carrier_delivery_status",
}


class StockPicking(models.Model):
    _inherit = "stock.picking"

    carrier_event_ids = fields.One2many(
        "delivery.carrier.event", "picking_id", string="Carrier Events", readonly=True
    )
    carrier_last_event_id = fields.Many2one(
        "delivery.carrier.event",
        string="Latest Carrier Event",
        compute="_compute_carrier_last_event",
        store=True,
    )
    carrier_delivery_status = fields.Selection(
        CARRIER_STATUSES,
        string="Carrier Status",
        compute="_compute_carrier_last_event",
        store=True,
        help="The status of the delivery's latest carrier event (by the carrier's "
        "time), from the carrier's webhook, an import or Mark as Delivered.",
    )

    @api.depends("carrier_event_ids.event_date", "carrier_event_ids.status")
    def _compute_carrier_last_event(self):
        for picking in self:
            events = picking.carrier_event_ids
            last = max(events, key=lambda e: (e.event_date, e.id)) if events else events
            picking.carrier_last_event_id = last
            picking.carrier_delivery_status = last.status

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_carrier_status_vals(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_carrier_status_vals(vals)
        return super().write(vals)

    def _check_carrier_status_vals(self, vals):
        if not self.env.su and CARRIER_STATUS_FIELDS.intersection(vals):
            raise AccessError(
                self.env._(
                    "A delivery's carrier status comes from the carrier's events "
                    "or Mark as Delivered; it cannot be written."
                )
            )

    def _filter_carrier_deliverable(self):
        """The shipped deliveries to the customer that the carrier may report on."""
        return self._filter_customer_deliveries().filtered(lambda p: p.state == "done")

    def action_mark_carrier_delivered(self):
        """The warehouse's "Mark as Delivered": a delivered event of now on each
        shipped delivery to the customer of self not delivered yet."""
        if not self.env.user.has_group("stock.group_stock_user"):
            raise AccessError(
                self.env._("Only warehouse users may mark deliveries as delivered.")
            )
        self.check_access("write")
        pickings = self.sudo()._filter_carrier_deliverable()
        if not pickings:
            return True
        # Two clicks at once: the second waits here, then finds it delivered.
        self.env.cr.execute(
            "SELECT id FROM stock_picking WHERE id IN %s ORDER BY id FOR NO KEY UPDATE",
            [tuple(pickings.ids)],
        )
        pickings.invalidate_recordset(["carrier_delivery_status"])
        now = fields.Datetime.now()
        self.env["delivery.carrier.event"]._create_carrier_events(
            [
                {
                    "carrier_id": picking.carrier_id.id,
                    "picking_id": picking.id,
                    "tracking_number": picking.carrier_tracking_ref,
                    "status": "delivered",
                    "event_date": max(
                        now, picking.carrier_last_event_id.event_date or now
                    ),
                    "message": self.env._(
                        "Marked as delivered by %s", self.env.user.name
                    ),
                    "source": "manual",
                }
                for picking in pickings.filtered(
                    lambda p: p.carrier_delivery_status != "delivered"
                )
            ]
        )
        return True

    def _get_carrier_status_label(self):
        self.ensure_one()
        return dict(
            self._fields["carrier_delivery_status"]._description_selection(self.env)
        ).get(self.carrier_delivery_status, "")

    def _send_carrier_status_email(self):
        """Email the customer of each web order delivery of self its new carrier
        status, when its website emails that status."""
        template = self.env.ref(
            "website_sale_order_tracking.mail_template_carrier_status",
            raise_if_not_found=False,
        )
        for picking in self.sudo():
            website = picking.sale_id.website_id
            if not template or not website._emails_carrier_status(
                picking.carrier_delivery_status
            ):
                continue
            # In the customer's language; queued: the carrier's request does not
            # wait for the mail server.
            picking.with_context(
                lang=picking.sale_id.partner_id.lang or self.env.lang,
                mail_notify_force_send=False,
            ).message_post_with_source(
                template,
                email_layout_xmlid="mail.mail_notification_light",
                subtype_xmlid="mail.mt_comment",
            )
            picking.sale_id._add_tracking_event(
                "email_sent", picking_id=picking.id, description=template.name
            )
