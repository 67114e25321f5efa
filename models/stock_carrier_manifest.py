# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The hand-over manifest: the parcels handed to one carrier at one time, the list
its driver signs. Confirming it validates the deliveries not yet done (their
order moves to Shipped) and records *Handed to Carrier* on each order's timeline,
once."""

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

MANIFEST_STATES = [("draft", "Draft"), ("confirmed", "Confirmed")]


class StockCarrierManifest(models.Model):
    _name = "stock.carrier.manifest"
    _description = "Carrier Hand-over Manifest"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: self.env._("New"),
    )
    carrier_id = fields.Many2one(
        "delivery.carrier",
        required=True,
        check_company=True,
        domain="[('carrier_manifest_enabled', '=', True)]",
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    date = fields.Datetime(
        string="Hand-over Date",
        required=True,
        default=fields.Datetime.now,
        help="When the parcels are handed to the carrier.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Handed Over By",
        default=lambda self: self.env.user,
        check_company=True,
    )
    state = fields.Selection(
        MANIFEST_STATES,
        required=True,
        default="draft",
        readonly=True,
        copy=False,
        tracking=True,
    )
    confirmed_date = fields.Datetime(readonly=True, copy=False)
    picking_ids = fields.One2many(
        "stock.picking",
        "carrier_manifest_id",
        string="Deliveries",
        help="The deliveries whose parcels are handed over: ready or done "
        "deliveries to customers, of this carrier.",
    )
    delivery_count = fields.Integer(compute="_compute_totals")
    parcel_count = fields.Integer(string="Parcels", compute="_compute_totals")
    total_weight = fields.Float(compute="_compute_totals", digits="Stock Weight")
    weight_uom_name = fields.Char(compute="_compute_totals")

    @api.depends("picking_ids", "picking_ids.move_line_ids.result_package_id")
    def _compute_totals(self):
        weight_uom = self.env[
            "product.template"
        ]._get_weight_uom_name_from_ir_config_parameter()
        for manifest in self:
            parcels = manifest._get_parcels()
            manifest.delivery_count = len(manifest.picking_ids)
            manifest.parcel_count = sum(len(p) for p in parcels.values())
            manifest.total_weight = sum(
                weight
                for picking_parcels in parcels.values()
                for _p, weight in (picking_parcels)
            )
            manifest.weight_uom_name = weight_uom

    def _get_parcels(self):
        """The parcels of each delivery: ``{picking: [(package, weight)]}``."""
        self.ensure_one()
        return {
            picking: picking._get_shipping_parcels()
            for picking in self.picking_ids.sudo().sorted("name")
        }

    @api.model_create_multi
    def create(self, vals_list):
        self._check_manifest_rights()
        for vals in vals_list:
            if not vals.get("name") or vals["name"] == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].sudo().next_by_code(
                    "stock.carrier.manifest"
                ) or self.env._("New")
        return super().create(vals_list)

    def write(self, vals):
        self._check_manifest_rights()
        if not self.env.su and ("state" in vals or "confirmed_date" in vals):
            raise UserError(self.env._("A manifest is confirmed with its button."))
        if set(vals) - {"message_main_attachment_id"} and any(
            manifest.state == "confirmed" for manifest in self
        ):
            raise UserError(
                self.env._("A confirmed manifest cannot be changed any more.")
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_confirmed(self):
        if any(manifest.state == "confirmed" for manifest in self):
            raise UserError(self.env._("A confirmed manifest cannot be deleted."))

    def _check_manifest_rights(self):
        """Manifests are the warehouse's (Inventory users)."""
        if not self.env.su and not self.env.user.has_group("stock.group_stock_user"):
            raise AccessError(
                self.env._("Only warehouse users may hand parcels over to a carrier.")
            )

    def action_add_ready_deliveries(self):
        """Add the carrier's deliveries ready to leave (or done today) that are on
        no manifest yet."""
        self._check_manifest_rights()
        for manifest in self.filtered(lambda m: m.state == "draft"):
            day_start = fields.Datetime.to_datetime(fields.Date.to_date(manifest.date))
            manifest.picking_ids |= self.env["stock.picking"].search(
                [
                    ("carrier_id", "=", manifest.carrier_id.id),
                    ("company_id", "=", manifest.company_id.id),
                    ("picking_type_code", "=", "outgoing"),
                    ("location_dest_id.usage", "=", "customer"),
                    ("carrier_manifest_id", "=", False),
                    "|",
                    ("state", "=", "assigned"),
                    "&",
                    ("state", "=", "done"),
                    ("date_done", ">=", day_start),
                ]
            )
        return True

    def _get_confirm_blocker(self):
        """Why the manifest cannot be confirmed, or None."""
        self.ensure_one()
        if not self.picking_ids:
            return self.env._("Add the deliveries handed over to %s.", self.name)
        not_ready = self.picking_ids.filtered(
            lambda p: p.state not in ("assigned", "done")
        )
        if not_ready:
            return self.env._(
                "These deliveries are not ready to leave: %s. Reserve their "
                "products, or take them off the manifest.",
                ", ".join(not_ready.mapped("name")),
            )
        return None

    def action_confirm(self):
        """Hand the parcels over: validate the deliveries not yet done, record the
        hand-over on each order's timeline. The manifests are locked first, so
        that confirming twice (or two users at once) records it once."""
        self._check_manifest_rights()
        self.check_access("write")
        if not self.ids:
            return True
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE stock_carrier_manifest SET write_date = write_date "
            "WHERE id IN %s AND state = 'draft' RETURNING id",
            [tuple(self.ids)],
        )
        drafts = self.browse(row[0] for row in self.env.cr.fetchall())
        drafts.invalidate_recordset()
        for manifest in drafts.sorted("id"):
            manifest._confirm()
        return True

    def _confirm(self):
        self.ensure_one()
        blocker = self._get_confirm_blocker()
        if blocker:
            raise UserError(blocker)
        pending = self.picking_ids.filtered(lambda p: p.state != "done")
        if pending:
            pending.with_context(skip_backorder=True, skip_sms=True).button_validate()
            not_done = pending.filtered(lambda p: p.state != "done")
            if not_done:
                raise UserError(
                    self.env._(
                        "These deliveries could not be validated: %s. Validate "
                        "them by hand, then confirm the manifest.",
                        ", ".join(not_done.mapped("name")),
                    )
                )
        self.sudo().write(
            {"state": "confirmed", "confirmed_date": fields.Datetime.now()}
        )
        for picking in self.picking_ids.sudo():
            picking.sale_id._add_tracking_event(
                "handed_to_carrier",
                picking_id=picking.id,
                carrier_id=self.carrier_id.id,
                carrier_tracking_ref=picking.carrier_tracking_ref,
                description=self.name,
            )
