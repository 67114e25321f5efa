# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Which carrier statuses of a delivery the website emails to the customer."""

from odoo import fields, models

# The website's switch of each carrier status.
CARRIER_STATUS_EMAIL_FIELDS = {
    "in_transit": "carrier_email_in_transit",
    "out_for_delivery": "carrier_email_out_for_delivery",
    "delivered": "carrier_email_delivered",
    "failed_attempt": "carrier_email_failed_attempt",
    "exception": "carrier_email_exception",
    "returned": "carrier_email_returned",
}


class Website(models.Model):
    _inherit = "website"

    carrier_email_in_transit = fields.Boolean(
        string="Email: In Transit",
        help="Email the customer when the carrier reports the parcel in transit.",
    )
    carrier_email_out_for_delivery = fields.Boolean(
        string="Email: Out for Delivery",
        default=True,
        help="Email the customer when the carrier reports the parcel out for "
        "delivery.",
    )
    carrier_email_delivered = fields.Boolean(
        string="Email: Delivered",
        default=True,
        help="Email the customer when the parcel is delivered.",
    )
    carrier_email_failed_attempt = fields.Boolean(
        string="Email: Delivery Attempt Failed",
        default=True,
        help="Email the customer when the carrier could not deliver the parcel.",
    )
    carrier_email_exception = fields.Boolean(
        string="Email: Delivery Problem",
        help="Email the customer when the carrier reports a problem with the parcel.",
    )
    carrier_email_returned = fields.Boolean(
        string="Email: Returned to Sender",
        help="Email the customer when the carrier returns the parcel to the shop.",
    )

    def _emails_carrier_status(self, status):
        """Whether this website emails its customers the carrier status ``status``."""
        field = CARRIER_STATUS_EMAIL_FIELDS.get(status)
        return bool(self and field and self[field])
