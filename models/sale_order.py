# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The order's life in one place: its tracking stage, computed from the records
that prove it, and its timeline; and the pieces every feature shares (the order
lock, the customer's invoices, the responsible user, the tracking emails).

A feature plugs in by giving the stage a helper (``_get_return_tracking_stage``,
``_has_pending_offline_payment``) and by writing its events with
``_add_tracking_event``."""

from odoo import api, fields, models
from odoo.exceptions import UserError

TRACKING_STAGES = [
    ("quotation", "Quotation"),
    ("cart", "Cart"),
    ("awaiting_payment", "Awaiting Payment"),
    ("to_confirm", "To Confirm Manually"),
    ("confirmed", "Confirmed"),
    ("in_preparation", "In Preparation"),
    ("partially_shipped", "Partially Shipped"),
    ("shipped", "Shipped"),
    ("return_requested", "Return Requested"),
    ("returned", "Returned"),
    ("partially_refunded", "Partially Refunded"),
    ("refunded", "Refunded"),
    ("cancelled", "Cancelled"),
]


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "website.sale.batch.mixin"]

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

    @api.depends(
        "state",
        "website_id",
        "checkout_date",
        "transaction_ids.state",
        "transaction_ids.is_post_processed",
        "transaction_ids.provider_code",
        "transaction_ids.amount",
        "picking_ids.state",
        "picking_ids.move_ids.picked",
        "return_request_ids.state",
        "refunded_amount",
        # What was paid, against the refunds (partially refunded or refunded).
        "order_line.invoice_lines.move_id.amount_residual",
    )
    def _compute_tracking_stage(self):
        for order in self:
            order.tracking_stage = order._get_tracking_stage()

    def _get_tracking_stage(self):
        self.ensure_one()
        if self.state == "cancel":
            return "cancelled"
        if self.state == "sale":
            return (
                self._get_return_tracking_stage() or self._get_delivery_tracking_stage()
            )
        if self._has_pending_offline_payment():
            return "to_confirm"
        if not self.website_id:
            return "quotation"
        if self.checkout_date or self.state == "sent":
            return "awaiting_payment"
        return "cart"

    def _get_delivery_tracking_stage(self):
        pickings = self.picking_ids.filtered(lambda p: p.state != "cancel")
        to_customer = pickings._filter_customer_deliveries()
        shipped = to_customer.filtered(lambda p: p.state == "done")
        if shipped and shipped == to_customer:
            return "shipped"
        if shipped:
            return "partially_shipped"
        if any(p.state == "done" or any(p.move_ids.mapped("picked")) for p in pickings):
            return "in_preparation"
        return "confirmed"

    def write(self, vals):
        if "tracking_stage" in vals and not self.env.su:
            # Derived from the order's records only (its computation never calls
            # write): a stage written by a client would send the order to the
            # wrong job, e.g. the cancellation of unpaid orders.
            raise UserError(
                self.env._(
                    "The tracking stage follows the order's payments, transfers "
                    "and returns; it cannot be changed by hand."
                )
            )
        return super().write(vals)

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

    def _create_invoices(self, grouped=False, final=False, date=None):
        invoices = super()._create_invoices(grouped=grouped, final=final, date=date)
        for invoice in invoices.sudo():
            invoice.line_ids.sale_line_ids.order_id._add_tracking_event(
                "invoice_created", invoice_id=invoice.id, description=invoice.name
            )
        return invoices

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

    def _get_responsible_user(self):
        """Who follows up this order's to-dos: its salesperson, else its sales
        team's leader, else the current user."""
        self.ensure_one()
        return self.user_id or self.team_id.user_id or self.env.user

    def _lock_orders(self):
        """Lock the orders for a change of their money or state (an invoice, a
        return, a refund, the queue's confirmation).

        The rows are updated, not only locked: a concurrent transaction waits
        here, then fails with a serialization error once this one commits (and is
        retried by Odoo with what this one wrote), whether or not the work below
        writes the order itself. A bare ``SELECT ... FOR UPDATE`` would let it go
        on with the quantities and amounts of its older snapshot.
        """
        if self.ids:
            self.env.flush_all()
            self.env.cr.execute(
                "UPDATE sale_order SET write_date = write_date WHERE id IN %s",
                [tuple(self.ids)],
            )

    def _get_customer_invoices(self):
        return self.invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice" and m.state != "cancel"
        )
