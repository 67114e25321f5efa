# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The carrier's status events from a CSV file, for a carrier without a webhook:
the same checks and recording as the webhook's, all rows or none."""

import base64
import binascii
import csv
import io

from odoo import fields, models
from odoo.exceptions import AccessError, UserError

from ..models.delivery_carrier_event import CarrierEventError

REQUIRED_COLUMNS = ("tracking_number", "status", "time", "event_id")
OPTIONAL_COLUMNS = ("place", "message")
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10000


class DeliveryCarrierEventImport(models.TransientModel):
    _name = "delivery.carrier.event.import"
    _description = "Import Carrier Status Events"

    carrier_id = fields.Many2one("delivery.carrier", required=True)
    file = fields.Binary(string="CSV File", required=True)
    file_name = fields.Char()

    def action_import(self):
        self.ensure_one()
        if not self.env.user.has_group("stock.group_stock_user"):
            raise AccessError(self.env._("Only warehouse users may import events."))
        rows = self._read_rows()
        try:
            result = self.env["delivery.carrier.event"]._record_carrier_events(
                self.carrier_id, rows, source="import", max_events=MAX_ROWS
            )
        except CarrierEventError as error:
            raise UserError(
                self.env._(
                    "The file was not imported (event N is the N-th row after the "
                    "header): %(error)s",
                    error=error.args[0],
                )
            ) from error
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(recorded)s events recorded, %(duplicates)s already known.",
                    recorded=result["recorded"],
                    duplicates=result["duplicates"],
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _read_rows(self):
        """The rows of the file as dicts of its columns; UserError if it is not a
        UTF-8 CSV file of the expected columns within the size limits."""
        try:
            data = base64.b64decode(self.file or b"", validate=True)
        except (binascii.Error, ValueError):
            data = None
        if data is not None and len(data) > MAX_FILE_BYTES:
            raise UserError(self.env._("The file is larger than 2 MB."))
        try:
            text = data.decode("utf-8-sig") if data and b"\0" not in data else None
        except UnicodeDecodeError:
            text = None
        if not text:
            raise UserError(self.env._("The file is not a CSV text file (UTF-8)."))
        try:
            reader = csv.reader(io.StringIO(text, newline=""), strict=True)
            header = [name.strip().lower() for name in next(reader, [])]
            rows = [row for row in reader if any(cell.strip() for cell in row)]
        except csv.Error as error:
            raise UserError(self.env._("The file is not a valid CSV file.")) from error
        if (
            len(set(header)) != len(header)
            or not set(REQUIRED_COLUMNS) <= set(header)
            or not set(header) <= set(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
        ):
            raise UserError(
                self.env._(
                    "The first row names the columns: %(required)s, and optionally "
                    "%(optional)s.",
                    required=", ".join(REQUIRED_COLUMNS),
                    optional=", ".join(OPTIONAL_COLUMNS),
                )
            )
        if len(rows) > MAX_ROWS or any(len(row) != len(header) for row in rows):
            raise UserError(
                self.env._(
                    "Each row has a value for each column, at most %(max)s rows.",
                    max=MAX_ROWS,
                )
            )
        return [dict(zip(header, row, strict=True)) for row in rows]
