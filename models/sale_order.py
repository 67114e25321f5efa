# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
import threading

from markupsafe import Markup
from psycopg2.errors import SerializationFailure

from odoo import api, fields, models
from odoo.tools.sql import create_index

_logger = logging.getLogger(__name__)

TRACKING_STAGES = [
    ("quotation", "Quotation"),
    ("cart", "Cart"),
    ("awaiting_payment", "Awaiting Payment"),
    ("to_confirm", "To Confirm Manually"),
    ("confirmed", "Confirmed"),
    ("in_preparation", "In Preparation"),
    ("partially_shipped", "Partially Shipped"),
    ("shipped", "Shipped"),
    ("cancelled", "Cancelled"),
]

# Providers whose payments arrive outside Odoo (wire transfer, pay on site...):
# their orders wait in a queue until a person confirms them.
OFFLINE_PROVIDER_CODES = ("custom",)

UNPAID_BATCH_SIZE = 100
MAX_CLAIM_CONFLICTS = 5


class SaleOrder(models.Model):
    _inherit = "sale.order"

    checkout_date = fields.Datetime(
        readonly=True,
        copy=False,
        help="When the customer finished the checkout of this web order.",
    )
    tracking_stage = fields.Selection(
        TRACKING_STAGES,
        compute="_compute_tracking_stage",
        store=True,
        index=True,
        group_expand=True,
        help="Where the order stands in its whole life, from cart to delivery.",
    )
    tracking_event_ids = fields.One2many(
        "sale.order.tracking.event", "order_id", string="Timeline", readonly=True
    )
    unpaid_reminder_date = fields.Datetime(
        string="Payment Reminder Sent On", readonly=True, copy=False
    )

    def init(self):
        result = super().init()
        # The unpaid-orders cron reads only the small queue of orders to confirm.
        create_index(
            self.env.cr,
            "sale_order_to_confirm_checkout_date_index",
            self._table,
            ["website_id", "checkout_date"],
            where="tracking_stage = 'to_confirm'",
        )
        return result

    @api.depends(
        "state",
        "website_id",
        "checkout_date",
        "transaction_ids.state",
        "transaction_ids.provider_code",
        "picking_ids.state",
        "picking_ids.move_ids.picked",
    )
    def _compute_tracking_stage(self):
        for order in self:
            order.tracking_stage = order._get_tracking_stage()

    def _get_tracking_stage(self):
        self.ensure_one()
        if self.state == "cancel":
            return "cancelled"
        if self.state == "sale":
            return self._get_delivery_tracking_stage()
        if self._has_pending_offline_payment():
            return "to_confirm"
        if not self.website_id:
            return "quotation"
        if self.checkout_date or self.state == "sent":
            return "awaiting_payment"
        return "cart"

    def _get_delivery_tracking_stage(self):
        pickings = self.picking_ids.filtered(lambda p: p.state != "cancel")
        to_customer = pickings.filtered(
            lambda p: p.location_dest_id.usage == "customer"
            and p.picking_type_code == "outgoing"
        )
        shipped = to_customer.filtered(lambda p: p.state == "done")
        if shipped and shipped == to_customer:
            return "shipped"
        if shipped:
            return "partially_shipped"
        if any(p.state == "done" or any(p.move_ids.mapped("picked")) for p in pickings):
            return "in_preparation"
        return "confirmed"

    def _has_pending_offline_payment(self):
        return any(
            tx.state == "pending" and tx.provider_code in OFFLINE_PROVIDER_CODES
            for tx in self.transaction_ids
        )

    # --- Timeline -------------------------------------------------------------

    def _add_tracking_event(self, event_type, **values):
        """Write one timeline event of ``event_type`` on each web order of self."""
        orders = self.filtered("website_id")
        if not orders:
            return self.env["sale.order.tracking.event"]
        return (
            self.env["sale.order.tracking.event"]
            .sudo()
            .create(
                [
                    {
                        "order_id": order.id,
                        "event_type": event_type,
                        "user_id": self.env.user.id,
                        **values,
                    }
                    for order in orders
                ]
            )
        )

    # --- Checkout and assignment -----------------------------------------------

    def _action_checkout_done(self):
        """Turn the carts of self into checked-out orders, once, and assign them.

        Called when a payment transaction is created for a cart (or when a cart is
        confirmed without one). The rows are locked first so that two requests for
        the same cart never assign it twice.
        """
        carts = self.filtered(lambda o: o.website_id and not o.checkout_date)
        if not carts:
            return self.browse()
        carts.flush_recordset(["checkout_date"])
        self.env.cr.execute(
            "SELECT id FROM sale_order WHERE id IN %s AND checkout_date IS NULL "
            "FOR NO KEY UPDATE",
            [tuple(carts.ids)],
        )
        carts = self.browse(row[0] for row in self.env.cr.fetchall())
        # Untracked: the assignment below writes its own chatter note.
        carts.with_context(tracking_disable=True).checkout_date = fields.Datetime.now()
        carts._add_tracking_event("checkout")
        carts._assign_web_order()
        return carts

    def _assign_web_order(self):
        """Give each order the sales team and salesperson of its website's rules.

        The warehouse chosen when the cart was made stays: the customer saw the
        stock of that one, whoever the salesperson is.
        """
        warehouse_field = self._fields["warehouse_id"]
        for order in self:
            assignment = order.website_id._get_web_order_assignment(order)
            if assignment is None:
                continue
            team, user, reason = assignment
            with self.env.protecting([warehouse_field], order):
                order.with_context(tracking_disable=True).write(
                    {"team_id": team.id, "user_id": user.id}
                )
            body = self.env._(
                "Web order assigned to sales team %(team)s and salesperson "
                "%(user)s (%(reason)s).",
                team=team.name or self.env._("none"),
                user=user.name or self.env._("none"),
                reason=reason,
            )
            order._message_log(body=Markup("<p>%s</p>") % body)

    def action_confirm(self):
        self._action_checkout_done()
        result = super().action_confirm()
        by_customer = self.env.user._is_public() or self.env.user.share or self.env.su
        self._add_tracking_event(
            "confirmed",
            description=self.env._("Confirmed automatically after payment")
            if by_customer
            else self.env._("Confirmed by %s", self.env.user.name),
        )
        return result

    def _action_cancel(self):
        result = super()._action_cancel()
        self._add_tracking_event("cancelled")
        return result

    def _send_order_notification_mail(self, mail_template):
        result = super()._send_order_notification_mail(mail_template)
        if mail_template:
            self._add_tracking_event("email_sent", description=mail_template.name)
        return result

    # --- Manual confirmation queue ---------------------------------------------

    def _is_payment_recorded(self):
        """Whether enough was paid for Odoo to confirm the order by itself."""
        self.ensure_one()
        return self._is_confirmation_amount_reached()

    def action_open_confirm_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Confirm Orders"),
            "res_model": "sale.order.confirm.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_ids": self.ids},
        }

    @api.model
    def _cron_process_unpaid_orders(self, batch_size=UNPAID_BATCH_SIZE):
        """Remind, then cancel, web orders still waiting for an offline payment.

        Orders are claimed with ``FOR UPDATE SKIP LOCKED`` in batches and each batch
        is committed with its flag, its email and its event: a kill loses at most the
        batch under way, which the next run does again, and two workers never claim
        the same order. Cancellation runs first so an order due for both is only
        cancelled.
        """
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        done = 0
        for action in ("cancel", "remind"):
            conflicts = 0
            while True:
                try:
                    count = self._process_unpaid_batch(action, batch_size)
                    if count:
                        self.env["ir.cron"]._notify_progress(
                            done=done + count, remaining=0
                        )
                    if auto_commit:
                        # One batch, its flags and its emails, stands or falls together.
                        self.env.cr.commit()  # pylint: disable=invalid-commit
                except SerializationFailure:
                    # Another worker committed after our snapshot was taken (a batch,
                    # or an email to the same customer): this batch is undone and a
                    # new transaction claims what is left.
                    conflicts += 1
                    if not auto_commit or conflicts > MAX_CLAIM_CONFLICTS:
                        raise
                    self.env.cr.rollback()
                    continue
                if not count:
                    break
                done += count
        return done

    def _process_unpaid_batch(self, action, batch_size):
        orders = self._claim_unpaid_orders(action, batch_size)
        if action == "cancel":
            orders._cancel_unpaid_web_orders()
        else:
            orders._send_unpaid_reminders()
        return len(orders)

    def _claim_unpaid_orders(self, action, limit):
        delay_column = (
            "unpaid_cancel_days" if action == "cancel" else "unpaid_reminder_days"
        )
        extra = "" if action == "cancel" else "AND so.unpaid_reminder_date IS NULL"
        self.env.flush_all()
        self.env.cr.execute(
            f"""
            SELECT so.id
              FROM sale_order so
              JOIN website w ON w.id = so.website_id
             WHERE so.tracking_stage = 'to_confirm'
               AND w.{delay_column} > 0
               AND so.checkout_date <= (NOW() AT TIME ZONE 'UTC')
                                        - make_interval(days => w.{delay_column})
               {extra}
          ORDER BY so.id
             LIMIT %s
               FOR NO KEY UPDATE OF so SKIP LOCKED
            """,  # noqa: S608 (column names are constants above)
            [limit],
        )
        return self.browse(row[0] for row in self.env.cr.fetchall())

    def _send_unpaid_reminders(self):
        self.write({"unpaid_reminder_date": fields.Datetime.now()})
        for order in self:
            template = order.website_id._get_unpaid_order_template("reminder")
            if order._send_tracking_email(template):
                order._add_tracking_event("payment_reminder", description=template.name)

    def _cancel_unpaid_web_orders(self):
        self._action_cancel()
        for order in self:
            template = order.website_id._get_unpaid_order_template("cancel")
            if order._send_tracking_email(template):
                order._add_tracking_event("email_sent", description=template.name)

    def _send_tracking_email(self, template):
        """Queue ``template`` for the customer of the order, in the chatter.

        Return whether an email was queued.
        """
        self.ensure_one()
        if not template:
            return False
        self._portal_ensure_token()
        self.message_post_with_source(
            template,
            email_layout_xmlid="mail.mail_notification_layout_with_responsible_signature",
            subtype_xmlid="mail.mt_comment",
        )
        return True
