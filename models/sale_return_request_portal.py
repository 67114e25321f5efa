# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Returns: the customer's return form of the portal, read into a request, and
the photo a customer may join to it.

The controller only checks access to the order and hands the posted form here;
the checks of the request itself (returnable quantities, comment, photo) are the
model's constraints, whatever the route.
"""

import base64
import binascii
import io
import math

# Odoo loads only PIL's first plugins: WebP's is loaded here to read WebP photos.
import PIL.WebPImagePlugin  # noqa: F401  pylint: disable=unused-import
from PIL import Image

from odoo import Command, api, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.image import IMAGE_MAX_RESOLUTION
from odoo.tools.mimetypes import guess_mimetype

# The largest photo a customer may join to a return request.
MAX_RETURN_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_FILENAME = 255
# The photos a customer may join: raster images browsers show, by their content
# (PIL's format name of each).
PHOTO_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
}


class SaleReturnRequest(models.Model):
    _inherit = "sale.return.request"

    @api.constrains("photo")
    def _check_photo(self):
        for request in self.filtered("photo"):
            error = self._get_photo_error(base64.b64decode(request.photo))
            if error:
                raise ValidationError(error)

    @api.model
    def _get_photo_error(self, data):
        """Why ``data`` is not a photo customers may join, or ``None``.

        Its content decides, not its name or the browser's type: a JPEG, PNG,
        GIF or WebP image that PIL reads (no SVG, which may carry scripts).
        """
        error = self.env._("The photo must be a JPEG, PNG, GIF or WebP image.")
        image_format = PHOTO_FORMATS.get(guess_mimetype(data))
        if not image_format:
            return error
        try:
            with Image.open(io.BytesIO(data)) as image:
                if image.format != image_format:
                    return error
                if image.width * image.height > IMAGE_MAX_RESOLUTION:
                    return self.env._(
                        "The photo is too large: at most %(count)s million pixels.",
                        count=int(IMAGE_MAX_RESOLUTION / 1e6),
                    )
                image.verify()
        except (
            OSError,
            SyntaxError,
            ValueError,
            binascii.Error,
            Image.DecompressionBombError,
        ):
            return error
        return None

    @api.model
    def _create_from_portal_form(self, order, form, photo=None):
        """Create the customer's request from the return form of ``order``.

        ``form`` maps ``quantity_<line id>``, ``reason_<line id>``,
        ``comment_<line id>`` and ``comment``; ``photo`` is an uploaded file.
        The customer and the team are told. A UserError or ValidationError for
        bad input, before anything is written; the request's own create locks
        the order (see ``create``).
        """
        request = self.create(self._prepare_from_portal_form(order, form, photo))
        request._notify_new_request()
        return request

    @api.model
    def _prepare_from_portal_form(self, order, form, photo=None):
        """The values of a return request of ``order`` from the portal form."""
        order.ensure_one()
        website = order.website_id
        reasons = website._get_return_reasons()
        lines = {str(line.id): line for line in order.order_line}
        line_commands = []
        for key, raw_quantity in form.items():
            if not key.startswith("quantity_") or not str(raw_quantity).strip():
                continue
            line = lines.get(key.removeprefix("quantity_"))
            if not line:
                raise UserError(self.env._("This product is not part of the order."))
            line_commands.append(
                Command.create(
                    self._prepare_portal_line_vals(line, form, raw_quantity, reasons)
                )
            )
        comment = (form.get("comment") or "").strip()
        if line_commands and website.return_comment_required and not comment:
            raise UserError(self.env._("Tell us what is wrong in the comment."))
        if self._get_comment_error(comment):
            raise UserError(self._get_comment_error(comment))
        vals = {"order_id": order.id, "line_ids": line_commands, "comment": comment}
        if line_commands and website.return_photo_required and not photo:
            raise UserError(self.env._("Add a photo of the products."))
        if photo:
            vals["photo"] = self._read_portal_photo(photo)
            # The browser's name of the file, kept short: only a label.
            filename = (getattr(photo, "filename", None) or "").strip()
            vals["photo_filename"] = filename[-MAX_PHOTO_FILENAME:] or "photo"
        return vals

    @api.model
    def _prepare_portal_line_vals(self, line, form, raw_quantity, reasons):
        product = line.product_id.display_name
        try:
            quantity = float(str(raw_quantity).replace(",", "."))
            if not math.isfinite(quantity):
                raise ValueError(raw_quantity)
        except ValueError:
            raise UserError(
                self.env._(
                    "The quantity of %(product)s is not a number.", product=product
                )
            ) from None
        reason = reasons.filtered(lambda r: str(r.id) == form.get(f"reason_{line.id}"))
        if quantity and not reason:
            raise UserError(
                self.env._("Choose why you return %(product)s.", product=product)
            )
        return {
            "sale_line_id": line.id,
            "quantity": quantity,
            "reason_id": reason.id,
            "comment": (form.get(f"comment_{line.id}") or "").strip(),
        }

    @api.model
    def _read_portal_photo(self, photo):
        """The uploaded photo's content, base64; a UserError when it is not one."""
        data = photo.read(MAX_RETURN_PHOTO_BYTES + 1)
        if len(data) > MAX_RETURN_PHOTO_BYTES:
            raise UserError(
                self.env._(
                    "The photo is larger than %(size)s MB.",
                    size=MAX_RETURN_PHOTO_BYTES // (1024 * 1024),
                )
            )
        error = self._get_photo_error(data)
        if error:
            raise UserError(error)
        return base64.b64encode(data)
