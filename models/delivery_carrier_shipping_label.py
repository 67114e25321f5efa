# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The shipping label of a carrier without an integration: its size and the
service it names."""

from odoo import fields, models

SHIPPING_LABEL_FORMATS = [
    ("100x150", "100 x 150 mm"),
    ("a6", "A6 (105 x 148 mm)"),
]
SHIPPING_LABEL_PAPERFORMATS = {
    "100x150": "website_sale_order_tracking.paperformat_shipping_label_100x150",
    "a6": "website_sale_order_tracking.paperformat_shipping_label_a6",
}


class DeliveryCarrier(models.Model):
    _inherit = "delivery.carrier"

    shipping_label_format = fields.Selection(
        SHIPPING_LABEL_FORMATS,
        string="Label Size",
        required=True,
        default="100x150",
        help="The size of this carrier's shipping labels: 100 x 150 mm (the usual "
        "roll of a thermal label printer) or A6.",
    )
    shipping_label_service = fields.Char(
        string="Service on Label",
        translate=True,
        help="The carrier's service printed on the label under its name, e.g. "
        "Express 24h. Empty: the label names the delivery method only.",
    )

    def _get_shipping_label_paperformat(self):
        """The paper format of the carrier's labels (100 x 150 mm by default)."""
        key = (self[:1].shipping_label_format or "100x150") if self else "100x150"
        return self.env.ref(SHIPPING_LABEL_PAPERFORMATS[key])
