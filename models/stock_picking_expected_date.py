# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""When each parcel of a web order comes, and the email of a late one.

The date a delivery promises is the order's commitment date, else its scheduled
date plus the carrier's transit days. Once that date has passed and the
delivery is not shipped, the customer is shown (and, when the website asks for
it, emailed once) a new date: the scheduled date plus the transit days, or
today plus the transit days when the scheduled date has passed too."""

from datetime import timedelta

from odoo import api, fields, models

LATE_DELIVERY_JOB = "late_delivery_email"
LATE_DELIVERY_BATCH_SIZE = 100


class StockPicking(models.Model):
    _name = "stock.picking"
    _inherit = ["stock.picking", "website.sale.batch.mixin"]

    late_delivery_email_date = fields.Datetime(
        string="Late Delivery Email Sent On",
        readonly=True,
        copy=False,
        help="When the customer was told that this delivery is late, with its "
        "new date. Told once a delivery.",
    )
    late_delivery_new_date = fields.Date(
        string="New Delivery Date",
        readonly=True,
        copy=False,
        help="The new date the late delivery email gave the customer.",
    )

    def _to_local_date(self, value):
        """The calendar date of datetime ``value`` for the user, or None."""
        if not value:
            return None
        return fields.Datetime.context_timestamp(self, value).date()

    def _get_delivery_dates(self, today=None):
        """``{picking: (expected date, promised date, late)}`` of each delivery.

        Reads only the fields of the deliveries, their order and their carrier:
        a page may ask it for all the deliveries of an order at once.
        """
        today = today or fields.Date.context_today(self)
        dates = {}
        for picking in self:
            transit = timedelta(days=picking.carrier_id.transit_days)
            committed = self._to_local_date(picking.sale_id.commitment_date)
            if picking.state == "done":
                shipped = self._to_local_date(picking.date_done)
                promised = committed or shipped + transit
                # Shipped after the promise: the parcel's own date.
                expected = max(promised, shipped + transit)
                dates[picking] = (expected, promised, False)
                continue
            scheduled = self._to_local_date(picking.scheduled_date) or today
            promised = committed or scheduled + transit
            if promised < today:
                dates[picking] = (max(scheduled, today) + transit, promised, True)
            else:
                dates[picking] = (promised, promised, False)
        return dates

    # Deliveries of web orders whose website emails late deliveries, not shipped,
    # never told late, whose promise (commitment date, else scheduled date plus
    # the carrier's transit days) is before today.
    _LATE_DELIVERIES_QUERY = """
        SELECT sp.id
          FROM stock_picking sp
          JOIN sale_order so ON so.id = sp.sale_id
          JOIN website w ON w.id = so.website_id
          JOIN stock_picking_type spt ON spt.id = sp.picking_type_id
          JOIN stock_location dest ON dest.id = sp.location_dest_id
     LEFT JOIN delivery_carrier dc ON dc.id = sp.carrier_id
         WHERE w.late_delivery_email_enabled
           AND sp.state IN ('waiting', 'confirmed', 'assigned')
           AND sp.late_delivery_email_date IS NULL
           AND spt.code IN ('outgoing', 'dropship')
           AND dest.usage = 'customer'
           AND so.state = 'sale'
           AND COALESCE(
                   so.commitment_date,
                   sp.scheduled_date + make_interval(
                       days => COALESCE(dc.transit_days, 0)))
               < %(today)s
    """

    @api.model
    def _cron_send_late_delivery_emails(self, batch_size=LATE_DELIVERY_BATCH_SIZE):
        """Tell the customers of late deliveries their new date, once a delivery.

        Batches are claimed with ``SKIP LOCKED`` and flagged in the transaction
        that queues their emails: two workers, or a run after a kill, never
        email a delivery twice.
        """
        self.env["website.sale.job.failure"]._resolve_settled(LATE_DELIVERY_JOB)
        failed = self.browse()
        # The start of today (UTC), the bound of the promises already passed.
        today = fields.Datetime.to_datetime(fields.Date.today())

        def send_next_batch():
            nonlocal failed
            query = self.env.cr.mogrify(
                self._LATE_DELIVERIES_QUERY, {"today": today}
            ).decode()
            pickings = self._claim_batch(
                LATE_DELIVERY_JOB, "sp", query, batch_size, failed.ids
            )
            failed |= self._run_isolated(
                LATE_DELIVERY_JOB,
                pickings,
                lambda picking: picking._send_late_delivery_email(),
            )
            return len(pickings)

        return self._run_cron_batches(send_next_batch)

    def _send_late_delivery_email(self):
        """Email the customer this delivery's new date, and remember it."""
        self.ensure_one()
        template = self.env.ref(
            "website_sale_order_tracking.mail_template_late_delivery",
            raise_if_not_found=False,
        )
        new_date = self._get_delivery_dates()[self][0]
        self.write(
            {
                "late_delivery_new_date": new_date,
                "late_delivery_email_date": fields.Datetime.now(),
            }
        )
        if not template:
            return
        self.sale_id._portal_ensure_token()
        self.message_post_with_source(
            template,
            email_layout_xmlid="mail.mail_notification_light",
            subtype_xmlid="mail.mt_comment",
        )
        self.sale_id._add_tracking_event(
            "email_sent", picking_id=self.id, description=template.name
        )
