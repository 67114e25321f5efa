# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What every portal route of the addon checks first: access, then its input."""

from werkzeug.datastructures import FileStorage

from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..models.website_order_lookup_attempt import (
    LOOKUP_EMAIL_SIZE,
    LOOKUP_REFERENCE_SIZE,
)

# The longest text a parameter of these routes may hold; a longer one, or a file
# where text is expected, is refused before anything is read or written.
TEXT_PARAM_SIZES = {
    "reference": LOOKUP_REFERENCE_SIZE,
    "email": LOOKUP_EMAIL_SIZE,
    "access_token": 128,
}
TEXT_PARAM_SIZE = 4000  # any other parameter: a comment of the return form


class WebsiteSalePortalAccess(CustomerPortal):
    """Access and input checks shared by the portal routes of the addon."""

    def _get_document_or_none(self, model_name, document_id, access_token):
        """The document in sudo when Odoo's portal grants access, else None."""
        try:
            return self._document_check_access(
                model_name, document_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return None

    def _check_text_params(self, files=()):
        """Refuse (400) a request whose parameters are not what the form sends.

        Every parameter is text of a reasonable size, without NUL characters
        (which PostgreSQL cannot store), but those named in ``files``, which are
        files (or left empty).
        """
        for name, value in request.params.items():
            if name in files:
                valid = not value or isinstance(value, FileStorage)
            elif isinstance(value, FileStorage):
                valid = False
            else:
                size = TEXT_PARAM_SIZES.get(name, TEXT_PARAM_SIZE)
                valid = not isinstance(value, str) or (
                    len(value) <= size and "\x00" not in value
                )
            if not valid:
                raise UserError(
                    request.env._(
                        "The form was sent with an invalid value of “%s”.", name
                    )
                )
