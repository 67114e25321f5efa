# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Finding and clearing the order exceptions: one SQL rule per kind.

Each rule of ``EXCEPTION_RULES`` selects ``(order_id, cause_id, since)`` of the
orders in its ``{scope}`` whose condition holds on a website whose rule for the
kind is on (``{rule}``), past its delay (``{delay}``). The same rule finds the
exceptions (a window of order ids at a time: one query per kind and window,
never per order) and clears them (an exception whose row is gone is over), so
each kind is written once. The partial unique index of the exceptions and
``INSERT ... ON CONFLICT DO NOTHING`` make a duplicate impossible, whatever runs
twice at once.
"""

from odoo import api, fields, models

from .sale_order_offline_payment import OFFLINE_PROVIDER_CODES
from .website_sale_order_exception_rule import EXCEPTION_DELAYS, EXCEPTION_KINDS

# The providers whose payments arrive outside Odoo, as SQL (constants).
_OFFLINE_CODES_SQL = ", ".join(f"'{code}'" for code in OFFLINE_PROVIDER_CODES)
_DELAY_SQL = {
    "hours": "make_interval(hours => r.delay)",
    "days": "make_interval(days => r.delay)",
    None: "make_interval()",
}
_RULE_JOIN = """JOIN website_sale_order_exception_rule r
         ON r.website_id = so.website_id AND r.kind = '{kind}' AND r.enabled"""
# The invoices (posted customer invoices) of the order ``so``.
_ORDER_INVOICES = """
          FROM sale_order_line sol
          JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
          JOIN account_move_line aml ON aml.id = rel.invoice_line_id
          JOIN account_move am ON am.id = aml.move_id
         WHERE sol.order_id = so.id
           AND am.move_type = 'out_invoice' AND am.state = 'posted'"""

EXCEPTION_RULES = {
    # A payment by card (any provider but the offline ones) went through, and the
    # order is still a quotation: too little paid, or a cart changed meanwhile.
    "paid_unconfirmed": """
        SELECT so.id, 0, MIN(tx.last_state_change)
          FROM sale_order so
          {rule}
          JOIN sale_order_transaction_rel str ON str.sale_order_id = so.id
          JOIN payment_transaction tx ON tx.id = str.transaction_id
          JOIN payment_provider pp ON pp.id = tx.provider_id
         WHERE {scope}
           AND so.state IN ('draft', 'sent')
           AND tx.state IN ('done', 'authorized')
           AND tx.operation IS DISTINCT FROM 'refund'
           AND pp.code NOT IN ({offline_codes})
      GROUP BY so.id, r.delay
        HAVING MIN(tx.last_state_change) <= %(now)s - {delay}""",
    # Waiting for its wire transfer past the reminder (or the checkout, on a
    # website that sends none); the cancellation cron ends it, or the payment.
    "offline_unpaid": """
        SELECT so.id, 0, COALESCE(so.unpaid_reminder_date, so.checkout_date)
          FROM sale_order so
          {rule}
         WHERE {scope}
           AND so.tracking_stage = 'to_confirm'
           AND COALESCE(so.unpaid_reminder_date, so.checkout_date)
               <= %(now)s - {delay}""",
    # A delivery to the customer not done past the promised date: the order's
    # commitment date, else the delivery's scheduled date.
    "late_shipment": """
        SELECT so.id, 0, MIN(COALESCE(so.commitment_date, sp.scheduled_date))
          FROM sale_order so
          {rule}
          JOIN stock_picking sp ON sp.sale_id = so.id
          JOIN stock_location dest ON dest.id = sp.location_dest_id
         WHERE {scope}
           AND so.state = 'sale'
           AND sp.state NOT IN ('done', 'cancel')
           AND dest.usage = 'customer'
      GROUP BY so.id, r.delay
        HAVING MIN(COALESCE(so.commitment_date, sp.scheduled_date))
               <= %(now)s - {delay}""",
    # A transfer of the order (not a return) waiting for its products.
    "waiting_stock": """
        SELECT so.id, 0, MIN(sp.create_date)
          FROM sale_order so
          {rule}
          JOIN stock_picking sp ON sp.sale_id = so.id
         WHERE {scope}
           AND so.state = 'sale'
           AND sp.state = 'confirmed'
           AND sp.return_id IS NULL
           AND sp.return_request_id IS NULL
      GROUP BY so.id, r.delay
        HAVING MIN(sp.create_date) <= %(now)s - {delay}""",
    "return_unanswered": """
        SELECT so.id, rr.id, rr.request_date
          FROM sale_return_request rr
          JOIN sale_order so ON so.id = rr.order_id
          {rule}
         WHERE {scope}
           AND rr.state = 'requested'
           AND rr.request_date <= %(now)s - {delay}""",
    # Received: since its last return transfer was validated.
    "return_unrefunded": """
        SELECT so.id, rr.id, MAX(sp.date_done)
          FROM sale_return_request rr
          JOIN sale_order so ON so.id = rr.order_id
          {rule}
          JOIN stock_picking sp ON sp.return_request_id = rr.id AND sp.state = 'done'
         WHERE {scope}
           AND rr.state = 'received'
      GROUP BY so.id, rr.id, r.delay
        HAVING MAX(sp.date_done) <= %(now)s - {delay}""",
    # Given up by the send cron after its tries (failed or bounced).
    "invoice_email_failed": """
        SELECT DISTINCT so.id, am.id, am.write_date
          FROM account_move am
          JOIN account_move_line aml ON aml.move_id = am.id
          JOIN sale_order_line_invoice_rel rel ON rel.invoice_line_id = aml.id
          JOIN sale_order_line sol ON sol.id = rel.order_line_id
          JOIN sale_order so ON so.id = sol.order_id
          {rule}
         WHERE {scope}
           AND am.web_invoice_send_state = 'failed'
           AND am.move_type = 'out_invoice'""",
    # Asked for on the website, and no invoice of the order sent yet.
    "invoice_request_unsent": """
        SELECT so.id, 0, so.invoice_request_date
          FROM sale_order so
          {rule}
         WHERE {scope}
           AND so.invoice_request_date IS NOT NULL
           AND so.state = 'sale'
           AND so.invoice_request_date <= %(now)s - {delay}
           AND NOT EXISTS (
                SELECT 1 {order_invoices}
                   AND (am.is_move_sent OR am.web_invoice_send_state = 'sent'))""",
    # A record of the order a job of the addon gave up (website.sale.job.failure).
    "job_failure": """
        SELECT so.id, f.id, f.date
          FROM website_sale_job_failure f
          JOIN sale_order so ON so.id = f.order_id
          {rule}
         WHERE {scope}
           AND f.state = 'given_up'""",
}
# The orders a detection looks at: a window of ids, or given orders.
WINDOW_SCOPE = "so.id > %(after)s AND so.id <= %(upto)s"
ORDERS_SCOPE = "so.id = ANY(%(order_ids)s)"
# Web orders a detection window; open exceptions a clearing batch.
DETECTION_WINDOW = 20000
CLEARING_BATCH = 1000


def get_rule_sql(kind, scope):
    """The rule of ``kind`` over ``scope`` (both constants of this file)."""
    return EXCEPTION_RULES[kind].format(
        rule=_RULE_JOIN.format(kind=kind),
        scope=scope,
        delay=_DELAY_SQL[EXCEPTION_DELAYS[kind][0]],
        offline_codes=_OFFLINE_CODES_SQL,
        order_invoices=_ORDER_INVOICES,
    )


class WebsiteSaleOrderException(models.Model):
    _inherit = "website.sale.order.exception"

    @api.model
    def _cron_detect_order_exceptions(self, window=DETECTION_WINDOW):
        """Wake the snoozed exceptions due, clear those that are over, then find
        the new ones, a window of web orders at a time (one commit each)."""
        self.env.flush_all()
        self._wake_snoozed()
        for kind, _label in EXCEPTION_KINDS:
            self._clear_kind_batches(kind)
        kinds = self._get_enabled_kinds()
        if not kinds:
            return 0
        self.env.cr.execute(
            "SELECT MIN(id), MAX(id) FROM sale_order WHERE website_id IS NOT NULL"
        )
        first, last = self.env.cr.fetchone()
        if first is None:
            return 0
        state = {"after": first - 1}

        def detect_window():
            after = state["after"]
            if after >= last:
                return 0
            state["after"] = after + window
            self._detect(kinds, WINDOW_SCOPE, after=after, upto=after + window)
            # What a window read and made is written: the next one starts with
            # an empty cache, so the pass's memory does not grow with the shop.
            self.env.flush_all()
            self.env.invalidate_all()
            return min(window, last - after)

        return self._run_cron_batches(detect_window)

    @api.model
    def _get_enabled_kinds(self, websites=None):
        domain = [("enabled", "=", True)]
        if websites is not None:
            domain.append(("website_id", "in", websites.ids))
        rules = self.env["website.sale.order.exception.rule"].sudo().search(domain)
        return [
            kind for kind, _label in EXCEPTION_KINDS if kind in rules.mapped("kind")
        ]

    @api.model
    def _detect(self, kinds, scope, **params):
        """Open an exception for each row of the rules of ``kinds`` over
        ``scope`` that has none; return the new exceptions."""
        self.env.flush_all()
        params = dict(params, now=fields.Datetime.now())
        orders, causes, sinces, row_kinds = [], [], [], []
        for kind in kinds:
            self.env.cr.execute(get_rule_sql(kind, scope), params)
            for order_id, cause_id, since in self.env.cr.fetchall():
                orders.append(order_id)
                causes.append(cause_id)
                sinces.append(since)
                row_kinds.append(kind)
        if not orders:
            return self.browse()
        return self._insert_exceptions(row_kinds, orders, causes, sinces)

    @api.model
    def _insert_exceptions(self, kinds, orders, causes, sinces):
        """Insert the rows not open yet (nor resolved by hand since they began):
        a concurrent insert of the same one waits for the other, then skips it."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            INSERT INTO website_sale_order_exception
                   (order_id, kind, cause_id, since, state, website_id, company_id,
                    team_id, create_uid, write_uid, create_date, write_date)
            SELECT c.order_id, c.kind, c.cause_id, c.since, 'open', so.website_id,
                   so.company_id, so.team_id, %(uid)s, %(uid)s, %(now)s, %(now)s
              FROM unnest(%(orders)s::int[], %(kinds)s::varchar[], %(causes)s::int[],
                          %(sinces)s::timestamp[]) AS c(order_id, kind, cause_id, since)
              JOIN sale_order so ON so.id = c.order_id
             WHERE NOT EXISTS (
                    SELECT 1
                      FROM website_sale_order_exception done
                     WHERE done.order_id = c.order_id
                       AND done.kind = c.kind
                       AND done.cause_id = c.cause_id
                       AND done.state = 'resolved'
                       AND done.resolution = 'manual'
                       AND done.resolved_date >= c.since)
            ON CONFLICT (order_id, kind, cause_id) WHERE state <> 'resolved'
            DO NOTHING
            RETURNING id
            """,
            {
                "uid": self.env.uid,
                "now": fields.Datetime.now(),
                "orders": orders,
                "kinds": kinds,
                "causes": causes,
                "sinces": sinces,
            },
        )
        exceptions = self.browse(row[0] for row in self.env.cr.fetchall())
        exceptions._schedule_activities()
        return exceptions

    @api.model
    def _clear_kind_batches(self, kind):
        """Resolve the open exceptions of ``kind`` whose condition is over."""
        state = {"after": 0}

        def clear_batch():
            self.env.flush_all()
            self.env.cr.execute(
                """
                SELECT id FROM website_sale_order_exception
                 WHERE kind = %s AND state <> 'resolved' AND id > %s
              ORDER BY id LIMIT %s
                """,
                [kind, state["after"], CLEARING_BATCH],
            )
            ids = [row[0] for row in self.env.cr.fetchall()]
            if ids:
                state["after"] = ids[-1]
                self.browse(ids)._clear_settled(kind)
            return len(ids)

        return self._run_cron_batches(clear_batch)

    def _clear_settled(self, kind):
        """Resolve those of self (open, of ``kind``) whose rule row is gone."""
        if not self:
            return self
        self.env.flush_all()
        self.env.cr.execute(
            get_rule_sql(kind, ORDERS_SCOPE),
            {"order_ids": self.order_id.ids, "now": fields.Datetime.now()},
        )
        holding = {(row[0], row[1]) for row in self.env.cr.fetchall()}
        cleared = self.filtered(lambda e: (e.order_id.id, e.cause_id) not in holding)
        cleared._resolve("cleared")
        return cleared

    @api.model
    def _sync_orders(self, orders, kinds):
        """Clear and find the exceptions of ``kinds`` of ``orders`` now, after an
        event of theirs (a confirmation, a delivery, an email given up...)."""
        orders = orders.filtered("website_id")
        if not orders:
            return
        exceptions_model = self.sudo()
        open_exceptions = exceptions_model.search(
            [
                ("order_id", "in", orders.ids),
                ("kind", "in", list(kinds)),
                ("state", "!=", "resolved"),
            ]
        )
        for kind, exceptions in open_exceptions.grouped("kind").items():
            exceptions._clear_settled(kind)
        websites = orders.website_id
        enabled = [k for k in self._get_enabled_kinds(websites) if k in kinds]
        if enabled:
            exceptions_model._detect(enabled, ORDERS_SCOPE, order_ids=orders.ids)

    @api.model
    def _wake_snoozed(self):
        snoozed = self.sudo().search(
            [("state", "=", "snoozed"), ("snoozed_until", "<=", fields.Date.today())]
        )
        snoozed.write({"state": "open", "snoozed_until": False})
