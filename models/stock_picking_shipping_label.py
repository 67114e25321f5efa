# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Shipping labels of deliveries to the customer, for carriers without an
integration: one label a parcel (a package, or the delivery when nothing is
packed), printed from the delivery or from the pack step before it, many at once;
each print is recorded on the delivery."""

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

SHIPPING_LABEL_REPORT = "website_sale_order_tracking.action_report_shipping_label"
PRINT_FIELDS = {
    "shipping_label_print_ids",
    "shipping_label_printed_ids",
    "shipping_label_print_count",
    "shipping_label_print_date",
}


class StockPicking(models.Model):
    _inherit = "stock.picking"

    shipping_label_print_ids = fields.One2many(
        "stock.shipping.label.print",
        "delivery_id",
        string="Label Prints",
        readonly=True,
        help="Each label printed for the parcels of this delivery, reprints "
        "included.",
    )
    shipping_label_printed_ids = fields.One2many(
        "stock.shipping.label.print",
        "picking_id",
        string="Labels Printed Here",
        readonly=True,
    )
    shipping_label_print_count = fields.Integer(
        string="Labels Printed",
        compute="_compute_shipping_label_print",
        store=True,
        copy=False,
        help="How many times the shipping labels of this delivery were printed, "
        "reprints included (from the record of the prints).",
    )
    shipping_label_print_date = fields.Datetime(
        string="Labels Last Printed On",
        compute="_compute_shipping_label_print",
        store=True,
        copy=False,
    )
    shipping_label_available = fields.Boolean(
        compute="_compute_shipping_label_available",
        help="A delivery to the customer follows this transfer: its parcels get "
        "shipping labels.",
    )

    @api.depends(
        "shipping_label_print_ids.print_number",
        "shipping_label_print_ids.print_date",
        "shipping_label_printed_ids.print_number",
        "shipping_label_printed_ids.print_date",
    )
    def _compute_shipping_label_print(self):
        for picking in self:
            prints = picking.shipping_label_print_ids | (
                picking.shipping_label_printed_ids
            )
            picking.shipping_label_print_count = max(
                prints.mapped("print_number"), default=0
            )
            picking.shipping_label_print_date = max(
                prints.mapped("print_date"), default=False
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_shipping_label_print_vals(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_shipping_label_print_vals(vals)
        return super().write(vals)

    def _check_shipping_label_print_vals(self, vals):
        """The prints are recorded by printing, never written: not by RPC, not by a
        form."""
        if not self.env.su and PRINT_FIELDS.intersection(vals):
            raise AccessError(
                self.env._(
                    "Label prints are recorded when the labels are printed; they "
                    "cannot be changed."
                )
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
        if self.state == "cancel":
            # Nothing of it leaves: no label, also by the report's address.
            return self.browse()
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
        were printed take over what those labels carry: the tracking numbers and
        the record of the prints."""
        for delivery in self._filter_customer_deliveries().filtered(
            lambda p: p.state not in ("done", "cancel")
        ):
            previous = delivery.move_ids.move_orig_ids.picking_id
            prints = previous.shipping_label_print_ids
            if not prints:
                continue
            prints.sudo().write({"delivery_id": delivery.id})
            numbered = previous.filtered("carrier_tracking_ref")
            if numbered and not delivery.carrier_tracking_ref:
                delivery.sudo().carrier_tracking_ref = numbered[0].carrier_tracking_ref

    def _get_shipping_packages(self):
        """The parcels of this transfer, in the order of their labels: its
        packages in the order they were made, plus None for what is not packed;
        [None] (the whole transfer) when nothing is packed."""
        self.ensure_one()
        packages = self.move_line_ids.result_package_id.sorted("id")
        if not packages:
            return [None]
        unpacked = any(
            ml.quantity and not ml.result_package_id for ml in self.move_line_ids
        )
        return [*packages, None] if unpacked else list(packages)

    def _get_shipping_parcels(self):
        """The parcels of this transfer (``_get_shipping_packages``) with their
        weight, as ``(package or None, weight)``."""
        self.ensure_one()
        packages = self._get_shipping_packages()
        if packages == [None]:
            return [(None, self.weight_bulk or self.weight)]
        weights = self.move_line_ids.result_package_id.sudo()._get_weight(self.id)
        return [
            (
                (package, package.shipping_weight or weights[package])
                if package
                else (None, self.weight_bulk)
            )
            for package in packages
        ]

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
        of the shipping label report. Each carries its parcel's tracking number
        (else the delivery's reference) as its barcode."""
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
            numbers = delivery._get_parcel_tracking_refs([p for p, _w in parcels])
            for index, (package, weight) in enumerate(parcels, start=1):
                labels.append(
                    dict(
                        common,
                        picking=picking,
                        package=package,
                        parcel=f"{index}/{len(parcels)}",
                        weight=weight,
                        weight_uom=weight_uom,
                        tracking_ref=numbers.get(package),
                        barcode=numbers.get(package) or delivery.name,
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
            "separator": "، " if lang.startswith("fa") else ", ",
            "recipient": recipient,
            "recipient_name": recipient.name or recipient.commercial_partner_id.name,
            "recipient_lines": self._get_shipping_label_address(recipient, env),
            "recipient_phone": recipient.phone or recipient.mobile,
            "carrier_name": carrier.name,
            "service": carrier.shipping_label_service,
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
        """Before printing the labels of self: the parcels of their deliveries get
        a number of their carrier's range when they have none."""
        self._check_shipping_label_rights()
        parcels_of = {}
        for picking in self.sudo():
            delivery = picking._get_shipping_label_delivery()
            if delivery:
                packages = picking._get_shipping_packages()
                parcels_of.setdefault(delivery, []).extend(
                    p for p in packages if p not in parcels_of.get(delivery, [])
                )
        if not parcels_of:
            raise UserError(
                self.env._("No delivery to a customer follows these transfers.")
            )
        deliveries = self.sudo().browse([d.id for d in parcels_of])
        deliveries._assign_range_tracking_numbers(
            {d.id: packages for d, packages in parcels_of.items()}
        )
        return deliveries

    def _record_shipping_label_print(self, labels):
        """Record the print of ``labels`` (the report's values): a row a label, by
        the user who printed, the print's number on its delivery (a reprint
        counts again)."""
        now = fields.Datetime.now()
        next_print = {
            label["delivery"]: label["delivery"].shipping_label_print_count + 1
            for label in labels
        }
        self.env["stock.shipping.label.print"].sudo().create(
            [
                {
                    "picking_id": label["picking"].id,
                    "delivery_id": label["delivery"].id,
                    "package_id": label["package"].id if label["package"] else False,
                    "parcel": label["parcel"],
                    "tracking_ref": label["tracking_ref"] or False,
                    "print_number": next_print[label["delivery"]],
                    "reprint": next_print[label["delivery"]] > 1,
                    "print_date": now,
                    "user_id": self.env.uid,
                }
                for label in labels
            ]
        )

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
