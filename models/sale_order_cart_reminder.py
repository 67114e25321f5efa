# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Abandoned-cart reminders: the sequence of emails of the website to the carts
left before checkout, sent by a cron in batches or by hand."""

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import split_every
from odoo.tools.sql import create_index

from .website_sale_job_failure import get_given_up_sql

CART_REMINDER_BATCH_SIZE = 500

CART_REMINDER_LAYOUT = "website_sale_order_tracking.mail_layout_cart_reminder"

CART_REMINDER_MAIL_FIELDS = (
    "auto_delete",
    "body_html",
    "email_cc",
    "email_from",
    "email_to",
    "mail_server_id",
    "model",
    "partner_to",
    "reply_to",
    "res_id",
    "scheduled_date",
    "subject",
)


# Who may get a cart reminder, each rule written once: a SQL condition on the
# cart ``so``, its customer ``p``, its website ``w`` and the website's public
# user ``pu``. The cron's query requires them all (with the sequence's delays);
# a salesperson's Send Reminder reads them for one cart and says which fails.
CART_REMINDER_RULES = {
    # Still a cart: not checked out, confirmed or cancelled.
    "cart": "so.tracking_stage = 'cart'",
    # A customer who gave an email, not an anonymous visitor.
    "email": "so.partner_id <> pu.partner_id AND p.email_normalized IS NOT NULL",
    "subscribed": """NOT EXISTS (
        SELECT 1 FROM mail_blacklist bl
         WHERE bl.email = p.email_normalized AND bl.active)""",
    # Something in it for sale at a price, on this website.
    "priced": """EXISTS (
        SELECT 1
          FROM sale_order_line l
          JOIN product_product pp ON pp.id = l.product_id
          JOIN product_template pt ON pt.id = pp.product_tmpl_id
         WHERE l.order_id = so.id
           AND l.price_unit > 0
           AND pp.active AND pt.active AND pt.sale_ok AND pt.is_published
           AND (pt.website_id IS NULL OR pt.website_id = so.website_id))""",
    # No order by the same email on the website since the cart's last change,
    # whoever the contact (a guest checkout makes a new one): read through the
    # index on res_partner.email_normalized, then sale_order.partner_id.
    "no_later_order": """NOT EXISTS (
        SELECT 1
          FROM res_partner lp
          JOIN sale_order later ON later.partner_id = lp.id
         WHERE lp.email_normalized = p.email_normalized
           AND later.website_id = so.website_id
           AND later.id <> so.id
           AND later.state <> 'cancel'
           AND (later.state = 'sale' OR later.checkout_date IS NOT NULL)
           AND COALESCE(later.checkout_date, later.date_order)
               >= COALESCE(so.cart_update_date, so.create_date))""",
}


class SaleOrder(models.Model):
    _inherit = "sale.order"

    cart_update_date = fields.Datetime(
        string="Last Cart Change",
        readonly=True,
        copy=False,
        help="When the customer last added, changed or removed a product of this "
        "web cart. Cart reminders count their delays from it.",
    )

    cart_reminder_step = fields.Integer(
        string="Cart Reminders Sent",
        readonly=True,
        copy=False,
        default=0,
        help="How many steps of the website's cart reminder sequence were sent.",
    )

    cart_reminder_date = fields.Datetime(
        string="Last Cart Reminder", readonly=True, copy=False
    )

    def init(self):
        result = super().init()
        # The cart reminder cron reads the recent carts of each website only.
        create_index(
            self.env.cr,
            "sale_order_cart_update_date_index",
            self._table,
            ["website_id", "cart_update_date"],
            where="tracking_stage = 'cart' AND cart_update_date IS NOT NULL",
        )
        # The after-sale dashboard reads the reminded carts of its period only.
        create_index(
            self.env.cr,
            "sale_order_cart_reminded_index",
            self._table,
            ["cart_update_date"],
            where="cart_reminder_step > 0",
        )
        return result

    @api.model_create_multi
    def create(self, vals_list):
        now = fields.Datetime.now()
        for vals in vals_list:
            if vals.get("website_id") and not vals.get("cart_update_date"):
                vals["cart_update_date"] = now
        return super().create(vals_list)

    def _cart_update_order_line(self, product_id, quantity, order_line, **kwargs):
        # Every change of a cart's lines goes through here: the reminders' clock
        # starts again from it.
        self.cart_update_date = fields.Datetime.now()
        return super()._cart_update_order_line(
            product_id, quantity, order_line, **kwargs
        )

    @api.model
    def _cron_send_cart_reminders(self, batch_size=CART_REMINDER_BATCH_SIZE):
        """Send each due step of the websites' cart reminder sequences, once.

        The due carts are found with one query; each batch of them is then locked
        (``SKIP LOCKED``) and checked again by id before its emails are made, so
        that two workers, or a run after a kill, never send a step twice.
        """
        self.env["website.sale.job.failure"]._resolve_settled("cart_reminder")
        due_ids = [order_id for order_id, _step_id in self._get_due_cart_reminders()]
        batches = list(split_every(batch_size, due_ids))
        position = 0

        def send_next_batch():
            nonlocal position
            if position == len(batches):
                return 0
            self._send_cart_reminder_batch(batches[position])
            # Moved on only once the batch went through: a conflict retries it.
            position += 1
            return len(batches[position - 1])

        return self._run_cron_batches(send_next_batch, total=len(due_ids))

    def _send_cart_reminder_batch(self, order_ids):
        """Send the due carts of ``order_ids`` their next step.

        The emails of a step are made together; when that fails, each cart is
        sent alone and the failing ones are skipped and recorded.
        """
        due = self._get_due_cart_reminders(order_ids, lock=True)
        steps = self.env["website.cart.reminder.step"]
        by_step = {}
        for order_id, step_id in due:
            by_step.setdefault(steps.browse(step_id), []).append(order_id)
        for step, step_order_ids in by_step.items():
            self._run_isolated(
                "cart_reminder",
                self.browse(step_order_ids),
                lambda order, step=step: order._send_cart_reminder(step),
                process_all=lambda orders, step=step: orders._send_cart_reminder(step),
            )
        return len(due)

    # Carts due for the next step of their website's sequence: every rule of
    # CART_REMINDER_RULES, and the delays. The recent carts of each website are
    # read through the partial index on (website_id, cart_update_date). A late
    # step also waits its gap after the step before, so that a cron that was
    # down never sends two steps at once. Carts the job gave up on are left out.
    _DUE_CART_REMINDERS_FROM = f"""
        WITH steps AS (
            SELECT s.id, s.website_id, s.delay_hours,
                   row_number() OVER w_steps AS number,
                   lag(s.delay_hours, 1, 0.0) OVER w_steps AS previous_delay
              FROM website_cart_reminder_step s
              JOIN website w ON w.id = s.website_id
             WHERE w.cart_reminder_enabled
            WINDOW w_steps AS (PARTITION BY s.website_id ORDER BY s.sequence, s.id)
        )
        SELECT so.id, st.id
          FROM steps st
          JOIN website w ON w.id = st.website_id
          JOIN res_users pu ON pu.id = w.user_id
          JOIN sale_order so
            ON so.website_id = st.website_id
           AND so.tracking_stage = 'cart'
           AND so.cart_update_date IS NOT NULL
           AND so.cart_update_date <= %(now)s - make_interval(
                   secs => st.delay_hours * 3600)
           AND so.cart_update_date >= GREATEST(
                   %(now)s - make_interval(days => w.cart_reminder_max_age_days),
                   w.cart_reminder_start_date)
          JOIN res_partner p ON p.id = so.partner_id
         WHERE so.cart_reminder_step = st.number - 1
           AND (so.cart_reminder_date IS NULL
                OR so.cart_reminder_date <= %(now)s - make_interval(
                       secs => (st.delay_hours - st.previous_delay) * 3600))
           AND {" AND ".join(f"({rule})" for rule in CART_REMINDER_RULES.values())}
           AND NOT {get_given_up_sql("cart_reminder", "so")}
    """  # noqa: S608 (the rules are constants of this module)

    def _get_due_cart_reminders(self, order_ids=None, lock=False):
        """``[(order_id, step_id)]`` of the carts due for their next step.

        Among ``order_ids`` when given; ``lock`` locks them, skipping those another
        worker holds.
        """
        self.env.flush_all()
        query = self._DUE_CART_REMINDERS_FROM
        params = {"now": fields.Datetime.now()}
        if order_ids is not None:
            query += " AND so.id IN %(ids)s"
            params["ids"] = tuple(order_ids) or (None,)
        if lock:
            query += " FOR NO KEY UPDATE OF so SKIP LOCKED"
        self.env.cr.execute(query, params)
        return self.env.cr.fetchall()

    def _send_cart_reminder(self, step):
        """Email ``step`` of the reminder sequence to the customers of these carts.

        The emails are queued with the step's number on the carts, in the same
        transaction.
        """
        self._ensure_access_tokens()
        template = step.mail_template_id
        if template.report_template_ids or template.attachment_ids:
            # Attachments and reports: Odoo's own batch sending attaches them.
            template.send_mail_batch(self.ids, email_layout_xmlid=CART_REMINDER_LAYOUT)
        else:
            self.env["mail.mail"].sudo().create(
                self._prepare_cart_reminder_mail_vals(template)
            )
        self.write(
            {
                "cart_reminder_step": step.step_number,
                "cart_reminder_date": fields.Datetime.now(),
            }
        )
        self._add_tracking_event(
            "cart_reminder",
            description=self.env._(
                "Step %(step)s: %(template)s",
                step=step.step_number,
                template=template.name,
            ),
        )

    def _ensure_access_tokens(self):
        """``_portal_ensure_token`` for a batch: one query, not a write a cart."""
        missing = self.filtered(lambda order: not order.access_token)
        if not missing:
            return
        self.env.cr.execute(
            "UPDATE sale_order SET access_token = gen_random_uuid()::text "
            "WHERE id IN %s AND access_token IS NULL",
            [tuple(missing.ids)],
        )
        missing.invalidate_recordset(["access_token"])

    def _prepare_cart_reminder_mail_vals(self, template):
        """The emails of ``template`` for these carts, rendered as one batch.

        As ``mail.template.send_mail_batch`` makes them, with two differences that
        make most of a batch's time: the body is compiled once for the batch (not
        for each cart), and the message behind each email only names the reminder
        (Odoo sanitizes a message's body three times when it creates it; the email
        itself is in ``body_html``).
        """
        template._send_check_access(self.ids)
        summary = Markup("<p>%s</p>") % self.env._(
            "Abandoned-cart reminder: %s", template.name
        )
        vals_list = []
        for lang, (lang_template, order_ids) in template._classify_per_lang(
            self.ids
        ).items():
            # The language is rendered once, here, for the body and the layout.
            rendered = lang_template.with_context(
                mail_render_compile_once=True, template_preview_lang=lang
            )._generate_template(order_ids, CART_REMINDER_MAIL_FIELDS)
            qweb = self.env["ir.qweb"].with_context(lang=lang or self.env.lang)
            for order in self.browse(order_ids):
                values = rendered[order.id]
                partner_ids = values.pop("partner_ids", None) or []
                if not values.get("email_from"):
                    values.pop("email_from", None)
                values.update(
                    body_html=qweb._render(
                        CART_REMINDER_LAYOUT,
                        {
                            "body_html": Markup(values["body_html"] or ""),
                            "record": order,
                        },
                        minimal_qcontext=True,
                    ),
                    body=summary,
                    recipient_ids=[Command.link(pid) for pid in partner_ids],
                )
                vals_list.append(values)
        return vals_list

    def action_send_cart_reminder(self):
        """Send each cart the next step of its website's sequence now."""
        for order in self:
            blocker = order._get_cart_reminder_blocker()
            if blocker:
                raise UserError(
                    self.env._(
                        "No reminder can be sent for %(order)s: %(reason)s",
                        order=order.name,
                        reason=blocker,
                    )
                )
        for order in self:
            steps = order.website_id.cart_reminder_step_ids
            order._send_cart_reminder(steps[order.cart_reminder_step])
        # Sent by hand: the cron takes the carts it had given up on again.
        self.env["website.sale.job.failure"]._resolve("cart_reminder", self)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("Cart reminder sent."),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _get_cart_reminder_blocker(self):
        """Why no reminder may be sent for this cart now, or ``None``.

        The rules of the cron (``CART_REMINDER_RULES``), but the delays: a
        salesperson sends it on purpose.
        """
        self.ensure_one()
        website = self.website_id
        failed = self._get_failed_cart_reminder_rules()
        messages = {
            "cart": self.env._("it is not a cart any more."),
            "email": self.env._("the customer's email is not known."),
            "subscribed": self.env._("the customer unsubscribed from emails."),
            "priced": self.env._("nothing in it is for sale at a price."),
            "no_later_order": self.env._("the customer ordered on this website since."),
        }
        if "cart" in failed:
            return messages["cart"]
        if not website.cart_reminder_step_ids:
            return self.env._("its website has no cart reminder sequence.")
        if self.cart_reminder_step >= len(website.cart_reminder_step_ids):
            return self.env._("every step of the sequence was sent.")
        return next((messages[rule] for rule in failed), None)

    def _get_failed_cart_reminder_rules(self):
        """The keys of ``CART_REMINDER_RULES`` this cart fails, in their order."""
        self.ensure_one()
        self.env.flush_all()
        columns = ", ".join(
            f"({rule}) AS {key}" for key, rule in CART_REMINDER_RULES.items()
        )
        self.env.cr.execute(
            f"""
            SELECT {columns}
              FROM sale_order so
              JOIN website w ON w.id = so.website_id
              JOIN res_users pu ON pu.id = w.user_id
              JOIN res_partner p ON p.id = so.partner_id
             WHERE so.id = %s
            """,  # noqa: S608 (the rules are constants of this module)
            [self.id],
        )
        row = self.env.cr.dictfetchone() or {}
        return [key for key in CART_REMINDER_RULES if not row.get(key)]

    def _get_cart_reminder_unsubscribe_url(self):
        self.ensure_one()
        return (
            f"{self.get_base_url()}/shop/cart/reminders/unsubscribe/{self.id}"
            f"?access_token={self._portal_ensure_token()}"
        )

    def _unsubscribe_from_cart_reminders(self):
        """Put the customer's email on the blacklist, as Odoo's mailing opt-out."""
        self.ensure_one()
        email = self.partner_id.email_normalized
        if email:
            self.env["mail.blacklist"].sudo()._add(
                email,
                message=self.env._("Unsubscribed from the reminders of %s", self.name),
            )
        return email
