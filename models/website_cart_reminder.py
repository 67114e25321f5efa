# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Abandoned-cart reminders: the website's sequence of reminders, kept in step
with Odoo's own abandoned-cart email."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression

from .website_cart_reminder_step import MAX_CART_REMINDER_STEPS, _format_hours


class Website(models.Model):
    _inherit = "website"

    cart_reminder_enabled = fields.Boolean(
        string="Send Abandoned-Cart Reminders",
        help="Send a sequence of up to five reminders to customers who left items in "
        "their cart, instead of Odoo's single email.",
    )

    cart_reminder_step_ids = fields.One2many(
        "website.cart.reminder.step",
        "website_id",
        string="Cart Reminder Steps",
        help="The emails of the sequence, each sent its delay after the cart's "
        "last change.",
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
            self._check_cart_reminder_step(number, step, previous_delay)
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

    def _check_cart_reminder_step(self, number, step, previous_delay):
        """Step ``number`` has an email and comes after the step before it."""
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

    def write(self, vals):
        switched = self.browse()
        if "cart_reminder_enabled" in vals:
            enabled = bool(vals["cart_reminder_enabled"])
            switched = self.filtered(lambda w: w.cart_reminder_enabled != enabled)
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
