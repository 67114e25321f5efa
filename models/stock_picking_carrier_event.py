# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Where a delivery stands at the carrier's: the status of its latest carrier
event, the warehouse's "Mark as Delivered", and the customer's email when the
status changes."""

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools.sql import create_index

from .delivery_carrier_event import CARRIER_STATUSES

# Computed from the carrier's events only: never written by a user (Sales users
# may write deliveries, and would mark parcels delivered).
CARRIER_STATUS_FIELDS = {
    "carrier_event_ids",
    "carrier_last_event_id",
    "carrier_delivery_status",
    "carrier_status_email_due",
}
CARRIER_STATUS_EMAIL_JOB = "carrier_status_email"
CARRIER_STATUS_EMAIL_BATCH_SIZE = 100
CARRIER_STATUS_EMAIL_CRON = "website_sale_order_tracking.ir_cron_carrier_status_emails"


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

    carrier_status_email_due = fields.Boolean(
        readonly=True,
        copy=False,
        help="The customer is to be emailed the delivery's new carrier status: "
        "the status email job sends it shortly.",
    )

    def init(self):
        result = super().init()
        # The status email job reads only the few deliveries due for an email.
        create_index(
            self.env.cr,
            "stock_picking_carrier_status_email_due_index",
            self._table,
            ["id"],
            where="carrier_status_email_due",
        )
        return result

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

    def _set_carrier_status_email_due(self):
        """Of self, the deliveries whose website emails their new status are due
        for the email: one flag here, the email made by the status email job, so
        that the carrier's request does not wait for its rendering."""
        due = self.sudo().filtered(
            lambda p: p.sale_id.website_id._emails_carrier_status(
                p.carrier_delivery_status
            )
        )
        if due:
            due.write({"carrier_status_email_due": True})
            self.env.ref(CARRIER_STATUS_EMAIL_CRON).sudo()._trigger()

    @api.model
    def _cron_send_carrier_status_emails(
        self, batch_size=CARRIER_STATUS_EMAIL_BATCH_SIZE
    ):
        """Email the customers of the deliveries due their carrier status; a
        delivery whose status changed again meanwhile gets its latest."""
        failed = self.browse()

        def send_next_batch():
            nonlocal failed
            pickings = self._claim_batch(
                CARRIER_STATUS_EMAIL_JOB,
                "sp",
                "SELECT sp.id FROM stock_picking sp "
                "WHERE sp.carrier_status_email_due",
                batch_size,
                failed.ids,
            )
            failed |= self._run_isolated(
                CARRIER_STATUS_EMAIL_JOB,
                pickings,
                lambda picking: picking._send_carrier_status_email(),
            )
            return len(pickings)

        return self._run_cron_batches(send_next_batch)

    def _send_carrier_status_email(self):
        """Email the customer of this web order delivery its carrier status, when
        its website emails that status."""
        self.ensure_one()
        # A carrier status field (refused to non-superusers): the job may run as
        # another scheduler user than the superuser.
        self.sudo().carrier_status_email_due = False
        template = self.env.ref(
            "website_sale_order_tracking.mail_template_carrier_status",
            raise_if_not_found=False,
        )
        website = self.sale_id.website_id
        if not template or not website._emails_carrier_status(
            self.carrier_delivery_status
        ):
            return
        # In the customer's language.
        self.with_context(
            lang=self.sale_id.partner_id.lang or self.env.lang
        ).message_post_with_source(
            template,
            email_layout_xmlid="mail.mail_notification_light",
            subtype_xmlid="mail.mt_comment",
        )
        self.sale_id._add_tracking_event(
            "email_sent", picking_id=self.id, description=template.name
        )
