# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The website's email of a late delivery (off until the website asks for it)."""

from odoo import fields, models


class Website(models.Model):
    _inherit = "website"

    late_delivery_email_enabled = fields.Boolean(
        string="Late Delivery Email",
        help="Email the customer of a web order once when a delivery misses its "
        "promised date without being shipped, with its new date.",
    )
