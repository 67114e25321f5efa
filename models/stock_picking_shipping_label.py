# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Shipping labels of deliveries to the customer, for carriers without an
integration: one label a parcel (a package, or the delivery when nothing is
packed), printed from the delivery or from the pack step before it, many at once;
each print is recorded on the delivery."""

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

SHIPPING_LABEL_REPORT = "website_sale_order_tracking.action_report_shipping_label"


class StockPicking(models.Model):
    _inherit = "stock.picking"

    shipping_label_print_count = fields.Integer(
        string="Labels Printed",
        default=0,
        readonly=True,
        copy=False,
        help="How many times the shipping labels of this delivery were printed, "
        "reprints included.",
    )
    shipping_label_print_date = fields.Datetime(
        string="Labels Last Printed On", readonly=True, copy=False
    )
    shipping_label_available = fields.Boolean(
        compute="_compute_shipping_label_available",
        help="A delivery to the customer follows this transfer: its parcels get "
        "shipping labels.",
    )

    @api.depends(
        "state", "picking_type_id", "location_dest_id", "move_ids.move_dest_ids"
    )
    def _compute_shipping_label_available(self):
        for picking in self:
            picking.shipping_label_available = picking.state != "cancel" and bool(
                picking._get_shipping_label_delivery()
            )

    def _get_shipping_label_delivery(self):
        """The transfer whose parcels the labels of this one are: the delivery to
        the customer (the transfer itself, or the one the goods of the step before
        shipping go to next); while that delivery is not made yet, the step before
        shipping itself.

        Odoo 18 makes the ship step of a two- or three-step delivery when the step
        before it (pick, or pack) is done: labels printed there are recorded on
        that step, and the delivery takes them over when it is made
        (``_take_over_shipping_labels``).
        """
        self.ensure_one()
        if self._filter_customer_deliveries():
            return self
        if not self._is_step_before_shipping():
            return self.browse()
        deliveries = (
            self.move_ids.move_dest_ids.picking_id._filter_customer_deliveries()
        )
        return deliveries.filtered(lambda p: p.state != "cancel")[:1] or self

    def _is_step_before_shipping(self):
        """Whether this transfer brings an order's goods to the warehouse's output,
        where the ship step takes them (the pack step, or the pick step of a
        two-step delivery)."""
        self.ensure_one()
        warehouse = self.picking_type_id.warehouse_id
        return (
            self.picking_type_code == "internal"
            and bool(self.sale_id or self.partner_id)
            and bool(warehouse)
            and warehouse.delivery_steps != "ship_only"
            and self.location_dest_id == warehouse.wh_output_stock_loc_id
        )

    def _get_shipping_carrier(self):
        """The carrier of the transfer, else of its order."""
        return self[:1].carrier_id or self[:1].sale_id.carrier_id

    def _take_over_shipping_labels(self):
        """The deliveries of self made from a step before shipping whose labels
        were printed take over what those labels carry: the tracking number and
        the print record."""
        for delivery in self._filter_customer_deliveries().filtered(
            lambda p: p.state not in ("done", "cancel")
        ):
            previous = delivery.move_ids.move_orig_ids.picking_id.filtered(
                "shipping_label_print_count"
            )
            if not previous or delivery.shipping_label_print_count:
                continue
            values = {
                "shipping_label_print_count": max(
                    previous.mapped("shipping_label_print_count")
                ),
                "shipping_label_print_date": max(
                    previous.mapped("shipping_label_print_date")
                ),
            }
            numbered = previous.filtered("carrier_tracking_ref")
            if numbered and not delivery.carrier_tracking_ref:
                values["carrier_tracking_ref"] = numbered[0].carrier_tracking_ref
            delivery.sudo().write(values)

    def _get_shipping_parcels(self):
        """The parcels of this transfer, as ``(package or None, weight)``: its
        packages in the order they were made, plus one for what is not packed;
        one parcel for the whole transfer when nothing is packed."""
        self.ensure_one()
        packages = self.move_line_ids.result_package_id.sorted("id")
        if not packages:
            return [(None, self.weight_bulk or self.weight)]
        weights = packages.sudo()._get_weight(self.id)
        parcels = [
            (package, package.shipping_weight or weights[package])
            for package in packages
        ]
        if any(ml.quantity and not ml.result_package_id for ml in self.move_line_ids):
            parcels.append((None, self.weight_bulk))
        return parcels

    def _get_shipping_label_lang(self):
        """The label's language: the website's for a web order (right to left and
        Persian addresses on a Persian website), else the customer's."""
        self.ensure_one()
        return (
            self.sale_id.website_id.default_lang_id.code
            or self.partner_id.lang
            or self.env.lang
            or "en_US"
        )

    def _get_shipping_labels(self):
        """The labels of the transfers of self, one a parcel, in order: the values
        of the shipping label report."""
        weight_uom = self.env[
            "product.template"
        ]._get_weight_uom_name_from_ir_config_parameter()
        labels = []
        for picking in self.sudo():
            delivery = picking._get_shipping_label_delivery()
            if not delivery:
                continue
            common = delivery._get_shipping_label_values()
            parcels = picking._get_shipping_parcels()
            for index, (package, weight) in enumerate(parcels, start=1):
                labels.append(
                    dict(
                        common,
                        picking=picking,
                        package=package,
                        parcel=f"{index}/{len(parcels)}",
                        weight=weight,
                        weight_uom=weight_uom,
                    )
                )
        return labels

    def _get_shipping_label_values(self):
        """What the labels of this delivery share (sender, recipient, order,
        carrier, barcode, amount to collect, language)."""
        self.ensure_one()
        lang = self._get_shipping_label_lang()
        env = self.with_context(lang=lang).env
        order = self.sale_id
        sender = self.picking_type_id.warehouse_id.partner_id or (
            self.company_id.partner_id
        )
        recipient = self.partner_id
        carrier = self._get_shipping_carrier().with_env(env)
        return {
            "delivery": self,
            "order": order,
            "lang": lang,
            "direction": env["res.lang"]._get_data(code=lang).direction or "ltr",
            "sender": sender,
            "sender_lines": self._get_shipping_label_address(sender, env),
            "recipient": recipient,
            "recipient_name": recipient.name or recipient.commercial_partner_id.name,
            "recipient_lines": self._get_shipping_label_address(recipient, env),
            "recipient_phone": recipient.phone or recipient.mobile,
            "carrier_name": carrier.name,
            "service": carrier.shipping_label_service,
            "barcode": self.carrier_tracking_ref or self.name,
            "amount_to_collect": order._get_amount_to_collect() if order else 0.0,
            "currency": order.currency_id or self.company_id.currency_id,
        }

    @api.model
    def _get_shipping_label_address(self, partner, env):
        """The address lines of ``partner`` on a label in ``env``'s language: as
        its country writes them, or, in Persian, from the province and city to
        the street, then the postal code."""
        if not (env.lang or "").startswith("fa"):
            text = partner._display_address(without_company=True)
            return [line.strip() for line in text.splitlines() if line.strip()]
        partner = partner.with_env(env)
        lines = [
            "، ".join(filter(None, [partner.state_id.name, partner.city])),
            "، ".join(filter(None, [partner.street, partner.street2])),
            partner.zip and env._("Postal code: %s", partner.zip),
            partner.country_id.name,
        ]
        return [line for line in lines if line]

    def _check_shipping_label_rights(self):
        """Only warehouse users print shipping labels (and record the print)."""
        if not self.env.su and not self.env.user.has_group("stock.group_stock_user"):
            raise AccessError(
                self.env._("Only warehouse users may print shipping labels.")
            )
        self.check_access("read")

    def _prepare_shipping_label_print(self):
        """Before printing the labels of self: their deliveries get a number of
        their carrier's range when they have none, and the print is recorded on
        each delivery (date and count: a reprint counts again)."""
        self._check_shipping_label_rights()
        deliveries = self.sudo().browse()
        for picking in self.sudo():
            deliveries |= picking._get_shipping_label_delivery()
        if not deliveries:
            raise UserError(
                self.env._("No delivery to a customer follows these transfers.")
            )
        deliveries._assign_range_tracking_numbers()
        deliveries.flush_recordset()
        self.env.cr.execute(
            "UPDATE stock_picking SET shipping_label_print_date = %s, "
            "shipping_label_print_count = COALESCE(shipping_label_print_count, 0) + 1 "
            "WHERE id IN %s",
            [fields.Datetime.now(), tuple(deliveries.ids)],
        )
        deliveries.invalidate_recordset(
            ["shipping_label_print_date", "shipping_label_print_count"]
        )
        return deliveries

    def action_print_shipping_labels(self):
        """Print the shipping labels of the selected transfers, in one PDF."""
        self._check_shipping_label_rights()
        printable = self.filtered("shipping_label_available")
        if not printable:
            raise UserError(
                self.env._("No delivery to a customer follows these transfers.")
            )
        return self.env.ref(SHIPPING_LABEL_REPORT).report_action(
            printable, config=False
        )
