# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare

from .sale_return_request_line import MAX_RETURN_COMMENT

RETURN_STATES = [
    ("requested", "Requested"),
    ("approved", "Approved"),
    ("received", "Received"),
    ("refunded", "Refunded"),
    ("rejected", "Rejected"),
]

# Fields that move only through the request's own methods (approve, reject,
# receive, refund), which check the user's rights and then write in sudo: no
# write by RPC changes them.
WORKFLOW_FIELDS = frozenset(
    {"name", "state", "reject_reason", "order_id", "request_date", "picking_ids"}
)
# What a new request may say of them (its order is checked by its lines).
NEW_REQUEST_VALUES = {("name", "/"), ("state", "requested")}


class SaleReturnRequest(models.Model):
    _name = "sale.return.request"
    _description = "Return Request"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/"
    )
    order_id = fields.Many2one(
        "sale.order",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
        tracking=True,
    )
    partner_id = fields.Many2one(
        related="order_id.partner_id", store=True, index=True, string="Customer"
    )
    website_id = fields.Many2one(related="order_id.website_id", store=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True)
    user_id = fields.Many2one(
        related="order_id.user_id", store=True, string="Salesperson"
    )
    team_id = fields.Many2one(related="order_id.team_id", store=True)
    currency_id = fields.Many2one(related="order_id.currency_id")
    state = fields.Selection(
        RETURN_STATES,
        required=True,
        default="requested",
        readonly=True,
        tracking=True,
        copy=False,
    )
    request_date = fields.Datetime(
        required=True, readonly=True, default=fields.Datetime.now, copy=False
    )
    line_ids = fields.One2many(
        "sale.return.request.line", "request_id", string="Lines", readonly=True
    )
    comment = fields.Text(readonly=True, help="The customer's words.")
    photo = fields.Binary(readonly=True, attachment=True)
    photo_filename = fields.Char(readonly=True)
    reject_reason = fields.Text(readonly=True, tracking=True)
    picking_ids = fields.One2many(
        "stock.picking", "return_request_id", string="Return Transfers", readonly=True
    )
    picking_count = fields.Integer(compute="_compute_picking_count")
    amount_total = fields.Monetary(
        string="Returned Value", compute="_compute_amount_total"
    )

    @api.model_create_multi
    def create(self, vals_list):
        self.check_access("create")
        if not self.env.su:
            for vals in vals_list:
                self._check_workflow_fields(
                    name
                    for name, value in vals.items()
                    if name in WORKFLOW_FIELDS
                    and name != "order_id"
                    and (name, value) not in NEW_REQUEST_VALUES
                )
        # Every request takes the lock of its order before reading what is left
        # to return: of two at once, the second waits, then fails and is retried
        # with the first one's lines counted.
        self.env["sale.order"].browse(
            {vals["order_id"] for vals in vals_list if vals.get("order_id")}
        )._lock_orders()
        for vals in vals_list:
            self._check_new_request(vals)
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    "sale.return.request"
                ) or self.env._("New")
        requests = super().create(vals_list)
        requests.order_id._add_tracking_event("return_requested")
        return requests

    def write(self, vals):
        if not self.env.su:
            self._check_workflow_fields(WORKFLOW_FIELDS & set(vals))
        return super().write(vals)

    @api.model
    def _check_workflow_fields(self, names):
        """Refuse a write of the workflow by RPC: the buttons move it."""
        names = sorted(names)
        if names:
            raise UserError(
                self.env._(
                    "%(fields)s of a return request change only through its "
                    "buttons.",
                    fields=", ".join(
                        self._fields[name].get_description(self.env)["string"]
                        for name in names
                    ),
                )
            )

    def _check_lines_editable(self):
        """Lines are the customer's ask: staff may correct them until reviewed."""
        if self.env.su:
            return
        for request in self:
            if request.state != "requested":
                raise UserError(
                    self.env._(
                        "Return %(name)s is reviewed: its lines change no more.",
                        name=request.name,
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_on_its_way(self):
        """An approved return has transfers and may be refunded: reject it instead."""
        for request in self:
            if request.state in ("approved", "received", "refunded"):
                raise UserError(
                    self.env._(
                        "Return %(name)s is on its way: reject it rather than "
                        "delete it.",
                        name=request.name,
                    )
                )

    @api.model
    def _check_new_request(self, vals):
        """Refuse a request whose lines may not be returned, before writing it."""
        # Before the sequence gives the request its number: nothing is used up.
        comment_error = self._get_comment_error(vals.get("comment"))
        if comment_error:
            raise ValidationError(comment_error)
        Line = self.env["sale.return.request.line"]
        for command in vals.get("line_ids") or []:
            if isinstance(command, list | tuple) and isinstance(command[-1], dict):
                Line._check_quantity_vals(command[-1])
        request = self.new(vals)
        if not request.line_ids:
            raise ValidationError(self.env._("Choose at least one product to return."))
        request.line_ids._check_returnable()

    @api.constrains("comment")
    def _check_comment(self):
        for request in self:
            error = self._get_comment_error(request.comment)
            if error:
                raise ValidationError(error)

    @api.model
    def _get_comment_error(self, comment):
        """Why ``comment`` (of a request or of a line) is refused, or ``None``."""
        if len(comment or "") > MAX_RETURN_COMMENT:
            return self.env._(
                "A comment has at most %(count)s characters.", count=MAX_RETURN_COMMENT
            )
        return None

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for request in self:
            request.access_url = f"/my/returns/{request.id}"
        return result

    @api.depends("picking_ids")
    def _compute_picking_count(self):
        for request in self:
            request.picking_count = len(request.picking_ids)

    @api.depends("line_ids.quantity", "line_ids.sale_line_id.price_unit")
    def _compute_amount_total(self):
        for request in self:
            request.amount_total = sum(
                line.quantity * line.sale_line_id.price_reduce_taxinc
                for line in request.line_ids
            )

    def _notify_new_request(self):
        """The customer gets an acknowledgement; the salesperson an activity."""
        template = self.env.ref(
            "website_sale_order_tracking.mail_template_return_requested",
            raise_if_not_found=False,
        )
        for request in self:
            if template:
                request.message_post_with_source(
                    template, subtype_xmlid="mail.mt_comment"
                )
            order = request.order_id
            request.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Review the return request"),
                user_id=order._get_responsible_user().id,
            )

    # --- Workflow ---------------------------------------------------------------

    def _check_state(self, *states):
        for request in self:
            if request.state not in states:
                raise UserError(
                    self.env._(
                        "Return %(name)s is %(state)s: it cannot do that now.",
                        name=request.name,
                        state=dict(
                            self._fields["state"]._description_selection(self.env)
                        )[request.state],
                    )
                )

    def action_approve(self):
        """Approve: Odoo's return of the delivered transfers, for the asked lines.

        Sales and Inventory users may approve the requests they may write; the
        return transfers are made in sudo, as Sales users have no right on them.
        """
        self.check_access("write")
        self.sudo().order_id._lock_orders()
        self._check_state("requested")
        for request in self.sudo():
            request._create_return_pickings()
            request.state = "approved"
            request.order_id._add_tracking_event(
                "return_approved", description=request.name
            )
        return True

    def _create_return_pickings(self):
        self.ensure_one()
        for picking, quantities in self._get_quantities_to_return().items():
            wizard = (
                self.env["stock.return.picking"]
                .with_context(active_id=picking.id, active_model="stock.picking")
                .create({"picking_id": picking.id})
            )
            for return_line in wizard.product_return_moves:
                return_line.quantity = quantities.get(return_line.move_id, 0.0)
            new_picking = wizard._create_return()
            new_picking.return_request_id = self

    def _get_quantities_to_return(self):
        """{delivery: {move: quantity in the move's unit}}.

        Each line is taken from its latest deliveries, less what the earlier
        returns of each delivery and the request's other lines already take: no
        delivery is returned more than it brought.
        """
        to_return = defaultdict(lambda: defaultdict(float))
        left_of_move = {}
        for line in self.line_ids:
            unit = line.sale_line_id.product_uom
            left = line.quantity
            for move in line.sale_line_id._get_delivered_moves().sorted(
                "date", reverse=True
            ):
                if move not in left_of_move:
                    left_of_move[move] = line.sale_line_id._get_move_quantity_kept(move)
                taken = min(
                    left, move.product_uom._compute_quantity(left_of_move[move], unit)
                )
                if float_compare(taken, 0, precision_rounding=unit.rounding) <= 0:
                    continue
                taken_in_move_unit = unit._compute_quantity(taken, move.product_uom)
                to_return[move.picking_id][move] += taken_in_move_unit
                left_of_move[move] -= taken_in_move_unit
                left -= taken
        return to_return

    def _action_receive(self):
        """The return transfers are all validated: the goods are back.

        Called in sudo by the validation of the transfers, whoever validates them.
        """
        received = self.filtered(
            lambda r: r._is_awaiting_goods()
            and any(p.state == "done" for p in r.picking_ids)
            and all(p.state in ("done", "cancel") for p in r.picking_ids)
        )
        for request in received.sudo():
            request.state = "received"
            request.order_id._add_tracking_event("returned", description=request.name)
        return received

    def _is_awaiting_goods(self):
        """Whether the request waits for the customer's parcel (approved)."""
        self.ensure_one()
        return self.state == "approved"

    def action_open_reject_wizard(self):
        self._check_state("requested", "approved")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reject Return"),
            "res_model": "sale.return.reject.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_request_ids": self.ids},
        }

    def _reject(self, reason):
        """Reject, for Sales and Inventory users who may write the requests."""
        self.check_access("write")
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Say why the return is rejected."))
        self._check_state("requested", "approved")
        requests = self.sudo()
        requests.picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel")
        ).action_cancel()
        requests.write({"state": "rejected", "reject_reason": reason})
        template = self.env.ref(
            "website_sale_order_tracking.mail_template_return_rejected",
            raise_if_not_found=False,
        )
        for request in requests:
            request.order_id._add_tracking_event(
                "return_rejected", description=request.name
            )
            if template:
                request.message_post_with_source(
                    template, subtype_xmlid="mail.mt_comment"
                )

    def action_open_refund_wizard(self):
        self.ensure_one()
        self._check_state("received")
        return self.order_id.action_open_refund_wizard(return_request=self)

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Return Slip %(name)s", name=self.name)

    def _get_return_address(self):
        """Where the customer sends the parcel: the warehouse the goods came from."""
        self.ensure_one()
        warehouse = self.order_id.warehouse_id
        return warehouse.partner_id or self.company_id.partner_id

    def action_view_pickings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stock.action_picking_tree_all"
        )
        action["domain"] = [("id", "in", self.picking_ids.ids)]
        if len(self.picking_ids) == 1:
            action.update(
                view_mode="form", views=[(False, "form")], res_id=self.picking_ids.id
            )
        return action
