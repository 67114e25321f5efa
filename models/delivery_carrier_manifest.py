# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Whether a carrier's parcels are handed over with a manifest."""

from odoo import fields, models


class DeliveryCarrier(models.Model):
    _inherit = "delivery.carrier"

    carrier_manifest_enabled = fields.Boolean(
        string="Hand-over Manifest",
        help="The parcels of this carrier are handed over with a manifest (Inventory "
        "> Operations > Hand-over Manifests): the list the driver signs; confirming "
        "it validates the deliveries not yet done and tells each customer that "
        "the parcel was handed to the carrier.",
    )
