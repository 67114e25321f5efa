# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.tools import str2bool

from .website_cart_reminder_step import MAX_CART_REMINDER_STEPS, _format_hours

ASSIGNMENT_MODES = [
    ("native", "Odoo Default"),
    ("fixed", "Fixed Salesperson"),
    ("round_robin", "Round-Robin in the Sales Team"),
    ("customer", "Customer's Own Salesperson"),
]

INVOICE_POLICIES = [
    ("auto", "Automatic on Confirmed Payment"),
    ("request", "On Customer Request"),
    ("manual", "Manual"),
]


class Website(models.Model):
    _inherit = "website"

    order_assignment_mode = fields.Selection(
        ASSIGNMENT_MODES,
        string="Order Assignment",
        required=True,
        default="native",
        help="How a web order gets its salesperson when its checkout is done:\n"
        "- Odoo Default: the website's salesperson, else the customer's own;\n"
        "- Fixed Salesperson: always the website's salesperson;\n"
        "- Round-Robin: each member of the sales team in turn;\n"
        "- Customer's Own Salesperson: the customer's salesperson when set, "
        "else the website's.",
    )
    order_assignment_rule_ids = fields.One2many(
        "website.order.assignment.rule",
        "website_id",
        string="Assignment Rules",
    )
    unpaid_reminder_days = fields.Integer(
        string="Payment Reminder After (Days)",
        default=0,
        help="Days after checkout after which an order awaiting an offline payment "
        "(e.g. wire transfer) gets one payment reminder. 0 sends none.",
    )
    unpaid_cancel_days = fields.Integer(
        string="Cancel Unpaid Orders After (Days)",
        default=0,
        help="Days after checkout after which an order still awaiting an offline "
        "payment is cancelled and its customer told. 0 never cancels.",
    )
    unpaid_reminder_template_id = fields.Many2one(
        "mail.template",
        string="Payment Reminder Email",
        domain="[('model', '=', 'sale.order')]",
        default=lambda self: self.env.ref(
            "website_sale_order_tracking.mail_template_unpaid_order_reminder",
            raise_if_not_found=False,
        ),
    )
    unpaid_cancel_template_id = fields.Many2one(
        "mail.template",
        string="Cancellation Email",
        domain="[('model', '=', 'sale.order')]",
        default=lambda self: self.env.ref(
            "website_sale_order_tracking.mail_template_unpaid_order_cancelled",
            raise_if_not_found=False,
        ),
    )

    cart_reminder_enabled = fields.Boolean(
        string="Send Abandoned-Cart Reminders",
        help="Send a sequence of up to five reminders to customers who left items in "
        "their cart, instead of Odoo's single email.",
    )
    cart_reminder_step_ids = fields.One2many(
        "website.cart.reminder.step", "website_id", string="Cart Reminder Steps"
    )
    cart_reminder_max_age_days = fields.Integer(
        string="Forget Carts After (Days)",
        default=7,
        help="Carts whose last change is older than this are never reminded.",
    )
    cart_reminder_start_date = fields.Datetime(
        string="Cart Reminders Switched On",
        readonly=True,
        help="Carts left before this moment are never reminded, so switching the "
        "reminders on does not email every old cart.",
    )

    shipping_email_mode = fields.Selection(
        [
            ("company", "Company Setting"),
            ("website", "This Website's Email"),
            ("none", "No Email"),
        ],
        string="Shipping Email",
        required=True,
        default="company",
        help="Email sent to the customer of a web order when a delivery to them is "
        "validated:\n"
        "- Company Setting: Odoo's own email on validation, when the company "
        "turns it on in Inventory settings;\n"
        "- This Website's Email: the template below, once per shipped transfer, "
        "instead of the company's;\n"
        "- No Email: none for this website's orders.",
    )
    shipping_email_template_id = fields.Many2one(
        "mail.template",
        domain="[('model', '=', 'stock.picking')]",
        default=lambda self: self.env.ref(
            "website_sale_order_tracking.mail_template_web_order_shipped",
            raise_if_not_found=False,
        ),
    )

    return_enabled = fields.Boolean(
        string="Online Returns",
        help="Customers may ask on the portal to return delivered products.",
    )
    return_window_days = fields.Integer(
        string="Return Window (Days)",
        default=30,
        help="Days after delivery during which a return may be asked for, unless "
        "the product or its category has its own.",
    )
    return_photo_required = fields.Boolean(
        string="Photo Required", help="A return request must come with a photo."
    )
    return_comment_required = fields.Boolean(
        string="Comment Required", help="A return request must come with a comment."
    )

    invoice_policy_enabled = fields.Boolean(
        string="Invoicing Policy per Customer Kind",
        help="Decide for this website's orders when their invoice is made, for "
        "business customers and for consumers separately, instead of Odoo's "
        "Automatic Invoice switch.",
    )
    invoice_policy_business = fields.Selection(
        INVOICE_POLICIES,
        string="Invoice for Businesses",
        required=True,
        default="auto",
        help="Business customers are companies and partners with a VAT number.",
    )
    invoice_policy_consumer = fields.Selection(
        INVOICE_POLICIES,
        string="Invoice for Consumers",
        required=True,
        default="request",
    )
    invoice_mail_template_id = fields.Many2one(
        "mail.template",
        string="Invoice Email",
        domain="[('model', '=', 'account.move')]",
        help="Email that sends the invoice of a web order, with its PDF. Empty: "
        "Odoo's invoice email.",
    )
    invoice_journal_id = fields.Many2one(
        "account.journal",
        domain="[('type', '=', 'sale'), ('company_id', '=', company_id)]",
        help="Sales journal of this website's invoices. Empty: Odoo's default.",
    )

    @api.constrains("return_window_days")
    def _check_return_window_days(self):
        for website in self:
            if website.return_window_days < 1:
                raise ValidationError(
                    self.env._(
                        "Website %(website)s: the return window is at least 1 day.",
                        website=website.name,
                    )
                )

    @api.constrains(
        "invoice_journal_id",
        "invoice_mail_template_id",
        "unpaid_reminder_template_id",
        "unpaid_cancel_template_id",
        "shipping_email_template_id",
    )
    def _check_invoicing_and_email_records(self):
        # The fields' domains hold in the form only; a call writes any record.
        models_ = {
            "invoice_mail_template_id": "account.move",
            "unpaid_reminder_template_id": "sale.order",
            "unpaid_cancel_template_id": "sale.order",
            "shipping_email_template_id": "stock.picking",
        }
        for website in self:
            # Read whatever company it is of, to refuse it with a message.
            journal = website.invoice_journal_id.sudo()
            if journal and (
                journal.type != "sale" or journal.company_id != website.company_id
            ):
                raise ValidationError(
                    self.env._(
                        "Website %(website)s: its invoices need a sales journal of "
                        "its company.",
                        website=website.name,
                    )
                )
            for field, model in models_.items():
                template = website[field]
                if template and template.model != model:
                    raise ValidationError(
                        self.env._(
                            "Website %(website)s: %(field)s must be an email "
                            "template of %(model)s.",
                            website=website.name,
                            field=website._fields[field].get_description(self.env)[
                                "string"
                            ],
                            model=self.env[model]._description,
                        )
                    )

    def _get_return_reasons(self):
        self.ensure_one()
        return self.env["sale.return.reason"].search(
            ["|", ("website_ids", "=", False), ("website_ids", "in", self.ids)]
        )

    @api.constrains("order_assignment_mode", "salesteam_id", "salesperson_id")
    def _check_order_assignment_mode(self):
        for website in self:
            mode = website.order_assignment_mode
            if mode == "round_robin" and not website.salesteam_id:
                raise ValidationError(
                    self.env._(
                        "Website %(website)s: round-robin assignment needs a sales "
                        "team whose members receive the orders.",
                        website=website.name,
                    )
                )
            if mode == "fixed" and not website.salesperson_id:
                raise ValidationError(
                    self.env._(
                        "Website %(website)s: a fixed assignment needs a salesperson.",
                        website=website.name,
                    )
                )

    @api.constrains("unpaid_reminder_days", "unpaid_cancel_days")
    def _check_unpaid_delays(self):
        for website in self:
            reminder = website.unpaid_reminder_days
            cancel = website.unpaid_cancel_days
            if reminder < 0 or cancel < 0:
                raise ValidationError(
                    self.env._(
                        "Website %(website)s: the delays of the payment reminder and "
                        "of the cancellation cannot be negative.",
                        website=website.name,
                    )
                )
            if reminder and cancel and cancel <= reminder:
                raise ValidationError(
                    self.env._(
                        "Website %(website)s: unpaid orders are cancelled after "
                        "%(cancel)s days, so a reminder after %(reminder)s days would "
                        "never be sent. Cancel later than the reminder.",
                        website=website.name,
                        cancel=cancel,
                        reminder=reminder,
                    )
                )

    @api.constrains(
        "cart_reminder_enabled", "cart_reminder_step_ids", "cart_reminder_max_age_days"
    )
    def _check_cart_reminder_sequence(self):
        for website in self:
            website._check_one_cart_reminder_sequence()

    def _check_one_cart_reminder_sequence(self):
        self.ensure_one()
        steps = self.cart_reminder_step_ids
        if self.cart_reminder_max_age_days < 1:
            raise ValidationError(
                self.env._(
                    "Website %(website)s: carts are forgotten after at least one day.",
                    website=self.name,
                )
            )
        if len(steps) > MAX_CART_REMINDER_STEPS:
            raise ValidationError(
                self.env._(
                    "Website %(website)s: a cart reminder sequence has at most "
                    "%(max)s steps.",
                    website=self.name,
                    max=MAX_CART_REMINDER_STEPS,
                )
            )
        if self.cart_reminder_enabled and not steps:
            raise ValidationError(
                self.env._(
                    "Website %(website)s: cart reminders need at least one step.",
                    website=self.name,
                )
            )
        previous_delay = 0.0
        for number, step in enumerate(steps, start=1):
            if not step.mail_template_id:
                raise ValidationError(
                    self.env._(
                        "Website %(website)s: cart reminder step %(step)s needs an "
                        "email template.",
                        website=self.name,
                        step=number,
                    )
                )
            if step.delay_hours <= previous_delay:
                delay = _format_hours(step.delay_hours)
                previous = _format_hours(previous_delay)
                raise ValidationError(
                    self.env._(
                        "Website %(website)s: cart reminder step %(step)s is sent "
                        "after %(delay)s hours, which must be later than the step "
                        "before it (%(previous)s hours).",
                        website=self.name,
                        step=number,
                        delay=delay,
                        previous=previous,
                    )
                )
            previous_delay = step.delay_hours
        if previous_delay > self.cart_reminder_max_age_days * 24:
            delay = _format_hours(previous_delay)
            raise ValidationError(
                self.env._(
                    "Website %(website)s: the last cart reminder comes %(delay)s hours "
                    "after the cart, but carts are forgotten after %(days)s days: it "
                    "would never be sent.",
                    website=self.name,
                    delay=delay,
                    days=self.cart_reminder_max_age_days,
                )
            )

    # --- Abandoned-cart reminders -----------------------------------------------

    def write(self, vals):
        switched = self.browse()
        if "cart_reminder_enabled" in vals:
            enabled = bool(vals["cart_reminder_enabled"])
            switched = self.filtered(lambda w: w.cart_reminder_enabled != enabled)
        if vals.get("invoice_policy_enabled"):
            vals = self._prepare_invoice_policy_start_vals(vals)
        switched_on = switched.filtered(lambda w: not w.cart_reminder_enabled)
        switched_on._create_default_cart_reminder_steps(
            vals.get("cart_reminder_max_age_days")
        )
        result = super().write(vals)
        if switched_on and "cart_reminder_start_date" not in vals:
            switched_on.cart_reminder_start_date = fields.Datetime.now()
        for website in switched:
            # Odoo's own switch follows the sequence's, when that one changes.
            website.send_abandoned_cart_email = website.cart_reminder_enabled
        if vals.get("send_abandoned_cart_email") is False:
            # Odoo's own switch turned off turns the sequence off too.
            self.filtered("cart_reminder_enabled").cart_reminder_enabled = False
        if not self.env.context.get("cart_reminder_sync") and (
            "cart_abandoned_delay" in vals or "cart_recovery_mail_template_id" in vals
        ):
            self._sync_first_cart_reminder_step()
        return result

    # --- Invoicing policy ---------------------------------------------------------

    def _prepare_invoice_policy_start_vals(self, vals):
        """Switching the policy on keeps what Odoo's own switch did until then."""
        if any(
            key in vals
            for key in ("invoice_policy_business", "invoice_policy_consumer")
        ) or all(self.mapped("invoice_policy_enabled")):
            return vals
        return dict(
            vals, **self._get_invoice_policy_start(self._get_odoo_automatic_invoice())
        )

    @api.model
    def _get_invoice_policy_start(self, automatic):
        """Both cells as Odoo's Automatic Invoice switch (on or off) invoices."""
        policy = "auto" if automatic else "manual"
        return {"invoice_policy_business": policy, "invoice_policy_consumer": policy}

    @api.model
    def _get_odoo_automatic_invoice(self):
        """Odoo's own Automatic Invoice switch (``sale.automatic_invoice``)."""
        return str2bool(
            self.env["ir.config_parameter"].sudo().get_param("sale.automatic_invoice")
            or "False"
        )

    @api.model
    def _get_invoice_policy_followed(self, automatic, policy):
        """The cells of ``policy`` once Odoo's Automatic Invoice is switched.

        Switched on: both automatic, as Odoo then invoices everyone; switched off:
        the automatic cells become manual, the others stay.
        """
        if automatic:
            return self._get_invoice_policy_start(True)
        return {
            field: "manual" if value == "auto" else value
            for field, value in policy.items()
        }

    @api.model
    def _follow_automatic_invoice(self, automatic, keep=None):
        """Odoo's Automatic Invoice switched: the websites' policies follow it.

        ``keep``: the website of the settings form, saved as the form shows it.
        """
        websites = self.search([("invoice_policy_enabled", "=", True)]) - (
            keep or self.browse()
        )
        for website in websites:
            policy = {
                field: website[field]
                for field in ("invoice_policy_business", "invoice_policy_consumer")
            }
            followed = self._get_invoice_policy_followed(automatic, policy)
            if followed != policy:
                website.write(followed)

    def _get_invoice_policy(self, partner):
        """The policy of this website for ``partner``'s orders; False when Odoo's."""
        self.ensure_one()
        if not self.invoice_policy_enabled:
            return False
        commercial = partner.commercial_partner_id
        if commercial.is_company or commercial.vat:
            return self.invoice_policy_business
        return self.invoice_policy_consumer

    def _create_default_cart_reminder_steps(self, max_age_days=None):
        """Start the sequence from Odoo's own delay and template, then 1 and 3 days.

        ``max_age_days``: the age after which carts are forgotten, when it is
        written with the switch (steps after it would never be sent).
        """
        stock_template = self.env.ref(
            "website_sale.mail_template_sale_cart_recovery", raise_if_not_found=False
        )
        defaults = [
            (None, "website_sale_order_tracking.mail_template_cart_reminder_1"),
            (24.0, "website_sale_order_tracking.mail_template_cart_reminder_2"),
            (72.0, "website_sale_order_tracking.mail_template_cart_reminder_3"),
        ]
        for website in self.filtered(lambda w: not w.cart_reminder_step_ids):
            vals_list, previous = [], 0.0
            for number, (delay, xmlid) in enumerate(defaults, start=1):
                template = self.env.ref(xmlid, raise_if_not_found=False)
                if number == 1:
                    delay = website.cart_abandoned_delay or 1.0
                    native = website.cart_recovery_mail_template_id
                    # A template the shop wrote itself stays step 1.
                    if native and native != stock_template:
                        template = native
                max_age = max_age_days or website.cart_reminder_max_age_days
                if delay <= previous or delay > max_age * 24:
                    continue
                vals_list.append(
                    {
                        "website_id": website.id,
                        "sequence": number * 10,
                        "delay_hours": delay,
                        "mail_template_id": template.id,
                    }
                )
                previous = delay
            self.env["website.cart.reminder.step"].create(vals_list)

    def _sync_native_cart_recovery(self):
        """Keep Odoo's delay and template equal to step 1 of the sequence."""
        for website in self:
            first = website.cart_reminder_step_ids[:1]
            if not first:
                continue
            vals = {}
            if website.cart_abandoned_delay != first.delay_hours:
                vals["cart_abandoned_delay"] = first.delay_hours
            if first.mail_template_id != website.cart_recovery_mail_template_id:
                vals["cart_recovery_mail_template_id"] = first.mail_template_id.id
            if vals:
                website.with_context(cart_reminder_sync=True).write(vals)

    def _sync_first_cart_reminder_step(self):
        for website in self:
            first = website.cart_reminder_step_ids[:1]
            vals = {}
            if first and first.delay_hours != website.cart_abandoned_delay:
                vals["delay_hours"] = website.cart_abandoned_delay
            template = website.cart_recovery_mail_template_id
            if first and template and first.mail_template_id != template:
                vals["mail_template_id"] = template.id
            if vals:
                first.with_context(cart_reminder_sync=True).write(vals)

    def _send_abandoned_cart_email(self):
        # Websites with a reminder sequence are served by the addon's own cron.
        return super(
            Website, self.with_context(cart_reminder_native_pass=True)
        )._send_abandoned_cart_email()

    @api.model
    def _search(self, domain, *args, **kwargs):
        if self.env.context.get("cart_reminder_native_pass"):
            domain = expression.AND([domain, [("cart_reminder_enabled", "=", False)]])
        return super()._search(domain, *args, **kwargs)

    def _get_web_order_assignment(self, order):
        """Return ``(team, user, reason)`` for a web order whose checkout is done.

        Return ``None`` when the website keeps Odoo's own assignment.
        """
        self.ensure_one()
        address = order.partner_shipping_id or order.partner_id
        rule = self.order_assignment_rule_ids.filtered(lambda r: r._matches(address))[
            :1
        ]
        mode = self.order_assignment_mode
        if not rule and mode == "native":
            return None
        team = rule.team_id or self.salesteam_id or order.team_id
        reason = self._get_assignment_reason(mode)
        if rule:
            reason = self.env._(
                "rule %(rule)s, %(mode)s", rule=rule.display_name, mode=reason
            )
        if rule.user_id:
            return team, rule.user_id, reason
        if mode == "fixed":
            user = self.salesperson_id
        elif mode == "round_robin":
            user = team._next_round_robin_user() or self.salesperson_id
        elif mode == "customer":
            commercial = order.partner_id.commercial_partner_id
            user = order.partner_id.user_id or commercial.user_id or self.salesperson_id
        else:
            user = order.user_id
        return team, user, reason

    @api.constrains("shipping_email_mode", "shipping_email_template_id")
    def _check_shipping_email_template(self):
        for website in self:
            if (
                website.shipping_email_mode == "website"
                and not website._get_shipping_email_template()
            ):
                raise ValidationError(
                    self.env._(
                        "Website %(website)s: its own shipping email needs a template.",
                        website=website.name,
                    )
                )

    @api.model
    def _set_default_email_templates(self):
        """Give every website without them the addon's default emails.

        Called when the addon is installed: websites that existed before got
        empty templates (the templates did not exist yet when the columns were
        added), which the settings form would show empty and ask for by hand.
        """
        fields_ = [
            "unpaid_reminder_template_id",
            "unpaid_cancel_template_id",
            "shipping_email_template_id",
        ]
        defaults = self.default_get(fields_)
        for field in fields_:
            if defaults.get(field):
                self.search([(field, "=", False)]).write({field: defaults[field]})

    def _get_shipping_email_template(self):
        self.ensure_one()
        return self.shipping_email_template_id or self.env.ref(
            "website_sale_order_tracking.mail_template_web_order_shipped",
            raise_if_not_found=False,
        )

    def _get_unpaid_order_template(self, kind):
        """The website's email for unpaid orders (``reminder`` or ``cancel``).

        Websites that existed before the addon was installed have none set: they
        use the addon's default template.
        """
        self.ensure_one()
        template = self[f"unpaid_{kind}_template_id"]
        xmlid = {
            "reminder": "mail_template_unpaid_order_reminder",
            "cancel": "mail_template_unpaid_order_cancelled",
        }[kind]
        return template or self.env.ref(
            f"website_sale_order_tracking.{xmlid}", raise_if_not_found=False
        )

    def _get_assignment_reason(self, mode):
        # Code translations: no query on the checkout, unlike selection labels.
        return {
            "native": self.env._("Odoo's default"),
            "fixed": self.env._("fixed salesperson"),
            "round_robin": self.env._("round-robin"),
            "customer": self.env._("customer's salesperson"),
        }[mode]
