# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Tracking numbers from a range the carrier allotted (prefix, next number, check
digit, suffix), and the check of a scanned one.

The numbers come from a PostgreSQL sequence (an ``ir.sequence`` of the carrier,
Odoo's standard implementation): ``nextval`` never gives the same number twice,
also to two users at once, and never waits for the other's transaction. A number
taken by a transaction that is rolled back is skipped, never given again.
"""

import re

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.barcode import get_barcode_check_digit

CHECK_DIGIT_RULES = [
    ("none", "None"),
    ("mod10", "Mod 10 (GS1)"),
    ("s10", "Mod 11 (UPU S10, national posts)"),
]
# UPU S10: the weights of the 8 digits of the serial number.
S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def _check_digit(rule, digits):
    """The check digit of ``digits`` under ``rule`` ('' for none)."""
    if rule == "mod10":
        return str(get_barcode_check_digit(digits + "0"))
    if rule == "s10":
        serial = digits.zfill(8)[-8:]
        total = sum(int(d) * w for d, w in zip(serial, S10_WEIGHTS, strict=True))
        check = 11 - total % 11
        return str({10: 0, 11: 5}.get(check, check))
    return ""


class DeliveryCarrier(models.Model):
    _inherit = "delivery.carrier"

    tracking_number_range = fields.Boolean(
        help="Give each delivery of this carrier the next number of the range the "
        "carrier allotted (when its labels are printed, or when it is validated "
        "without one), instead of a number typed or scanned.",
    )
    tracking_number_prefix = fields.Char(
        string="Prefix",
        help="Letters before the number, e.g. RR for a registered item of a "
        "national post (UPU S10).",
    )
    tracking_number_suffix = fields.Char(
        string="Suffix",
        help="Letters after the check digit, e.g. the country code of a national "
        "post (UPU S10).",
    )
    tracking_number_padding = fields.Integer(
        string="Digits",
        default=8,
        help="How many digits the number has, padded with zeros (UPU S10: 8).",
    )
    tracking_number_check_digit = fields.Selection(
        CHECK_DIGIT_RULES,
        string="Check Digit",
        required=True,
        default="none",
        help="The digit added after the number so that the carrier's scanners "
        "detect a misread: Mod 10 as in GS1 barcodes, Mod 11 as in the UPU S10 "
        "numbers of national posts. Scanned numbers are checked with it.",
    )
    tracking_number_next = fields.Integer(
        string="Next Number",
        compute="_compute_tracking_number_next",
        inverse="_inverse_tracking_number_next",
        help="The number the next delivery gets; set it to the start of a new range.",
    )
    tracking_number_last = fields.Integer(
        string="Last Number",
        help="The end of the allotted range (0: no end). Past it, no number is "
        "given until a new range is entered.",
    )
    tracking_sequence_id = fields.Many2one(
        "ir.sequence", string="Tracking Number Sequence", readonly=True, copy=False
    )

    @api.depends("tracking_sequence_id.number_next_actual")
    def _compute_tracking_number_next(self):
        for carrier in self:
            carrier.tracking_number_next = (
                carrier.sudo().tracking_sequence_id.number_next_actual or 1
            )

    def _inverse_tracking_number_next(self):
        for carrier in self:
            sequence = carrier._get_tracking_sequence()
            sequence.number_next_actual = max(carrier.tracking_number_next, 1)

    def _get_tracking_sequence(self):
        """The carrier's number sequence, made when first needed."""
        self.ensure_one()
        carrier = self.sudo()
        if not carrier.tracking_sequence_id:
            carrier.tracking_sequence_id = (
                self.env["ir.sequence"]
                .sudo()
                .create(
                    {
                        "name": self.env._("Tracking numbers of %s", carrier.name),
                        "implementation": "standard",
                        "padding": 0,
                        "company_id": carrier.company_id.id,
                    }
                )
            )
        return carrier.tracking_sequence_id

    def _take_tracking_number(self):
        """The next tracking number of the carrier's range, formatted."""
        self.ensure_one()
        carrier = self.sudo()
        number = int(carrier._get_tracking_sequence()._next())
        carrier.tracking_sequence_id.invalidate_recordset(["number_next_actual"])
        self.invalidate_recordset(["tracking_number_next"])
        digits = str(number).zfill(carrier.tracking_number_padding or 0)
        if (carrier.tracking_number_last and number > carrier.tracking_number_last) or (
            carrier.tracking_number_padding
            and len(digits) > carrier.tracking_number_padding
        ):
            raise UserError(
                self.env._(
                    "The tracking number range of %(carrier)s is used up: enter the "
                    "next range the carrier gave you on the carrier (Next Number, "
                    "Last Number).",
                    carrier=carrier.name,
                )
            )
        return carrier._format_tracking_number(digits)

    def _format_tracking_number(self, digits):
        self.ensure_one()
        return "".join(
            [
                self.tracking_number_prefix or "",
                digits,
                _check_digit(self.tracking_number_check_digit, digits),
                self.tracking_number_suffix or "",
            ]
        )

    def _get_tracking_number_blocker(self, number):
        """Why ``number`` (typed or scanned) cannot be this carrier's tracking
        number, or None. With a check digit rule, a number of the range's form
        must carry the right check digit."""
        if not number or len(number) > 64 or not number.isascii():
            return self.env._("A tracking number has 1 to 64 letters and digits.")
        # A comma separates the numbers of a delivery's Tracking Reference.
        if (
            not number.isprintable()
            or "," in number
            or any(char.isspace() for char in number)
        ):
            return self.env._("A tracking number has no spaces or commas.")
        carrier = self[:1]
        if not carrier.tracking_number_range or (
            carrier.tracking_number_check_digit == "none"
        ):
            return None
        pattern = "%s(\\d+)(\\d)%s" % (
            re.escape(carrier.tracking_number_prefix or ""),
            re.escape(carrier.tracking_number_suffix or ""),
        )
        match = re.fullmatch(pattern, number)
        if not match or _check_digit(
            carrier.tracking_number_check_digit, match.group(1)
        ) != match.group(2):
            return self.env._(
                "%(number)s is not a tracking number of %(carrier)s: its form or "
                "its check digit is wrong. Scan it again.",
                number=number,
                carrier=carrier.name,
            )
        return None
