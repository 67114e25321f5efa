# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The carrier's webhook of status events (the JSON format is in the README).

Answers: 200 with the counts; 401 when the signature or its timestamp is wrong;
400 when the body is malformed; 404 for an unknown webhook or tracking number.
A request is recorded whole or not at all."""

import json
import logging

from odoo import http
from odoo.http import request

from odoo.addons.website_sale_order_tracking.models.delivery_carrier_event import (
    CarrierEventError,
)

_logger = logging.getLogger(__name__)

# The largest body read (500 events of the longest texts fit in it).
MAX_BODY_BYTES = 1024 * 1024
FORM_MIMETYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class CarrierWebhook(http.Controller):
    @http.route(
        "/order-tracking/carrier/<string:token>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
        sitemap=False,
    )
    def carrier_status_events(self, token, **_kw):
        env = request.env
        carrier = env["delivery.carrier"]._get_carrier_by_webhook_token(token)
        if not carrier:
            return self._answer(404, error=env._("Unknown webhook."))
        # A body sent in chunks has no length: it would be read whole, however
        # large, so a length is required (proxies send one).
        length = request.httprequest.content_length
        if length is None or length > MAX_BODY_BYTES:
            return self._answer(
                400, error=env._("The request is too large or has no Content-Length.")
            )
        if request.httprequest.mimetype in FORM_MIMETYPES:
            # Odoo has parsed it as a form: the body as signed is gone.
            return self._answer(400, error=env._("Send the body as application/json."))
        body = request.httprequest.get_data(cache=True)
        headers = request.httprequest.headers
        if not carrier._check_carrier_webhook_signature(
            body, headers.get("X-Timestamp"), headers.get("X-Signature")
        ):
            return self._answer(401, error=env._("Missing, wrong or stale signature."))
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, ValueError, RecursionError):
            # RecursionError: arrays or objects nested thousands deep.
            return self._answer(400, error=env._("The body is not JSON."))
        payloads = data.get("events") if isinstance(data, dict) else None
        if isinstance(data, dict) and "events" not in data:
            payloads = [data]
        try:
            result = (
                env["delivery.carrier.event"]
                .sudo()
                ._record_carrier_events(carrier, payloads, source="webhook")
            )
        except CarrierEventError as error:
            _logger.info("Carrier %s: events refused: %s", carrier.id, error)
            return self._answer(error.status, error=str(error))
        return self._answer(200, **result)

    def _answer(self, status, **values):
        return request.make_json_response(values, status=status)
