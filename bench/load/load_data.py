#!/usr/bin/env python3
"""The Odoo side of the load test (bench/load/run_load.py): one process each.

    load_data.py generate --config C --db D --seed 1 --products 300 ...
    load_data.py prepare  --config C --db D --port 8301 --addon --out scenario.json
    load_data.py check    --config C --db D --since '2026-11-28 11:00:00'

- ``generate``: the shop's data on a database of Odoo's modules only (no addon),
  from a seeded random generator: products in stock, customers (some of them portal
  users), web orders (confirmed, some delivered), staff, a carrier, the demo and
  wire-transfer providers. Both databases of the run are copies of it.
- ``prepare``: the settings of one database (``--addon``: the addon's features
  on; otherwise Odoo's own), its frozen base URL, and the scenario file the
  simulated users read (ids, logins, links).
- ``check``: after the run, what the database holds of it: checkouts per
  salesperson (round-robin fairness), orders invoiced twice, emails sent twice.
"""

import argparse
import json
import os
import random
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "bench"))

from bench_cart_reminders import open_env  # noqa: E402

PASSWORD = "load-password"  # noqa: S105 - the scratch databases' users
SALESPEOPLE = ("load_sales_1", "load_sales_2", "load_sales_3")
SALES_ALL = "load_sales_all"
STOCK_USER = "load_stock"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["generate", "prepare", "check"])
    parser.add_argument("--config", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--products", type=int, default=300)
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--portal", type=int, default=200)
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--port")
    parser.add_argument("--addon", action="store_true")
    parser.add_argument("--odoo-automatic-invoice", action="store_true")
    parser.add_argument("--invoicing-delay", type=int)
    parser.add_argument("--out")
    parser.add_argument("--since")
    return parser.parse_args()


# --- generate ------------------------------------------------------------------


def generate(env, args):
    rng = random.Random(args.seed)  # noqa: S311 - data, not secrets
    _bank_account(env)
    products = _products(env, rng, args.products)
    customers = _customers(env, rng, args.customers)
    portal_users = _users(env, [f"load_customer_{i}" for i in range(args.portal)])
    for user, partner in zip(portal_users, customers, strict=False):
        # The first customers are the portal users' own partners.
        user.partner_id.write(_address(partner))
    partners = portal_users.partner_id | customers[len(portal_users) :]
    _staff(env)
    _shop(env)
    _orders(env, rng, partners, products, args.orders)
    _set_passwords(env)


def _bank_account(env):
    """The shop's bank account, which Odoo's e-invoice (UBL BIS 3, the default
    for the customers' Belgian addresses) needs with a tax on each line: without
    them each invoice gets an error and a pro forma PDF, rendered one by one
    (one wkhtmltopdf call an invoice instead of one a batch)."""
    env["res.partner.bank"].create(
        {"acc_number": "BE71096123456769", "partner_id": env.company.partner_id.id}
    )


def _products(env, rng, count):
    # Each with the company's sales tax, as Odoo gives a new product.
    templates = env["product.template"].create(
        [
            {
                "name": f"Load Product {index}",
                "type": "consu",
                "is_storable": True,
                "list_price": rng.randint(5, 500),
                "website_published": True,
            }
            for index in range(count)
        ]
    )
    stock = env["stock.warehouse"].search([], limit=1).lot_stock_id
    quants = env["stock.quant"].create(
        [
            {
                "product_id": product.id,
                "location_id": stock.id,
                "inventory_quantity": 100_000,
            }
            for product in templates.product_variant_ids
        ]
    )
    quants.action_apply_inventory()
    return templates.product_variant_ids


def _address(partner):
    return {
        key: partner[key]
        for key in ("street", "city", "zip", "phone", "email")
        if partner[key]
    } | {"country_id": partner.country_id.id}


def _customers(env, rng, count):
    belgium = env.ref("base.be")
    return env["res.partner"].create(
        [
            {
                "name": f"Load Customer {index}",
                "email": f"load_customer_{index}@example.com",
                "phone": f"+32 2 {rng.randint(100, 999)} {rng.randint(10, 99)} 12",
                "street": f"Rue de la Loi {rng.randint(1, 200)}",
                "city": "Brussels",
                "zip": "1000",
                "country_id": belgium.id,
            }
            for index in range(count)
        ]
    )


def _users(env, logins, groups=("base.group_portal",)):
    from odoo import Command

    return env["res.users"].create(
        [
            {
                "name": login,
                "login": login,
                "email": f"{login}@example.com",
                "groups_id": [Command.set([env.ref(group).id for group in groups])],
            }
            for login in logins
        ]
    )


def _staff(env):
    from odoo import Command

    salespeople = _users(env, SALESPEOPLE, ["sales_team.group_sale_salesman"])
    _users(env, [SALES_ALL], ["sales_team.group_sale_salesman_all_leads"])
    _users(env, [STOCK_USER], ["stock.group_stock_user"])
    team = env["crm.team"].create(
        {"name": "Load Web Team", "member_ids": [Command.set(salespeople.ids)]}
    )
    env["website"].search([], limit=1).salesteam_id = team


def _shop(env):
    from odoo import Command

    bank = env["account.journal"].search([("type", "=", "bank")], limit=1)
    # The journal set now, not on the first payments: Odoo makes the provider's
    # payment method line then, and concurrent first payments made two.
    env.ref("payment.payment_provider_demo").write(
        {"state": "test", "is_published": True, "journal_id": bank.id}
    )
    transfer = env.ref("payment.payment_provider_transfer")
    method = env.ref("payment_custom.payment_method_wire_transfer")
    transfer.write(
        {
            "state": "enabled",
            "is_published": True,
            "payment_method_ids": [Command.set(method.ids)],
            "journal_id": bank.id,
        }
    )
    method.active = True
    env["delivery.carrier"].create(
        {
            "name": "Load Post",
            "delivery_type": "fixed",
            "fixed_price": 10.0,
            "is_published": True,
            "product_id": env["product.product"]
            .create({"name": "Load Post Shipping", "type": "service"})
            .id,
        }
    )


def _orders(env, rng, partners, products, count):
    """Web orders, confirmed; the first ones of each portal user's and one in
    three of the others delivered (their pickings validated)."""
    from odoo import Command

    website = env["website"].search([], limit=1)
    portal = partners.filtered("user_ids")
    buyers = list(portal) * 2 + rng.choices(partners, k=max(count - 2 * len(portal), 0))
    orders = env["sale.order"].create(
        [
            {
                "partner_id": partner.id,
                "website_id": website.id,
                "order_line": [
                    Command.create(
                        {"product_id": product.id, "product_uom_qty": rng.randint(1, 3)}
                    )
                    for product in rng.sample(products, rng.randint(1, 3))
                ],
            }
            for partner in buyers[:count]
        ]
    )
    for start in range(0, len(orders), 200):
        orders[start : start + 200].action_confirm()
        env.cr.commit()
    delivered = orders[: len(portal)] | orders[len(portal) * 2 :: 3]
    for start in range(0, len(delivered), 100):
        pickings = delivered[start : start + 100].picking_ids
        pickings.with_context(skip_sms=True).button_validate()
        env.cr.commit()


def _set_passwords(env):
    """One password for every user of the run, hashed once (a hash costs Odoo's
    600,000 rounds)."""
    users = env["res.users"].search([("login", "=like", "load\\_%")])
    hashed = users._crypt_context().hash(PASSWORD)
    env.cr.execute(
        "UPDATE res_users SET password = %s WHERE id IN %s", (hashed, tuple(users.ids))
    )


# --- prepare -------------------------------------------------------------------


def prepare(env, args):
    website = env["website"].search([], limit=1)
    parameters = env["ir.config_parameter"]
    # Each server renders its PDFs from its own URL (see RUNTIME-NOTES).
    parameters.set_param("web.base.url", f"http://127.0.0.1:{args.port}")
    parameters.set_param("web.base.url.freeze", True)
    # Odoo's shop as Odoo leaves it (no Automatic Invoice) unless asked: with it,
    # Odoo renders the invoice PDF in the customer's request, and wkhtmltopdf waits
    # for a free HTTP worker to fetch the assets from (see README, Deployment).
    # The addon's shop invoices every paid order, in its invoicing job.
    parameters.set_param("sale.automatic_invoice", args.odoo_automatic_invoice)
    if args.addon:
        website.write(
            {
                "order_assignment_mode": "round_robin",
                "return_enabled": True,
                "return_window_days": 30,
                "return_photo_required": False,
                "return_comment_required": False,
                "invoice_policy_enabled": True,
                "invoice_policy_business": "auto",
                "invoice_policy_consumer": "auto",
            }
        )
        if args.invoicing_delay is not None:
            parameters.set_param(
                "website_sale_order_tracking.web_invoicing_delay",
                args.invoicing_delay,
            )
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(_scenario(env, website, args), out)


def _scenario(env, website, args):
    orders = env["sale.order"].search([("website_id", "=", website.id)], order="id")
    delivered = orders.filtered(lambda o: o.picking_ids and o.delivery_status == "full")
    portal = {}
    for order in orders.filtered("partner_id.user_ids"):
        customer = portal.setdefault(
            order.partner_id.user_ids[0].login, {"orders": [], "delivered": []}
        )
        customer["orders"].append(order.id)
        if order in delivered:
            customer["delivered"].append(
                {"id": order.id, "lines": order.order_line.ids}
            )
    guests = [
        {
            "id": order.id,
            "name": order.name,
            "email": order.partner_id.email,
            "token": order._portal_ensure_token(),
        }
        for order in orders.filtered(lambda o: not o.partner_id.user_ids)[:500]
    ]
    reason = env.ref("website_sale_order_tracking.return_reason_damaged", False)
    return {
        "db": args.db,
        "addon": args.addon,
        "password": PASSWORD,
        "products": [
            [template.website_url, template.product_variant_id.id]
            for template in env["product.template"].search(
                [("name", "=like", "Load Product %")]
            )
        ],
        "portal": portal,
        "guest_orders": guests,
        "salespeople": list(SALESPEOPLE),
        "sales_all": SALES_ALL,
        "stock_user": STOCK_USER,
        "carrier_id": env["delivery.carrier"].search([("name", "=", "Load Post")]).id,
        "providers": {
            "demo": [
                env.ref("payment.payment_provider_demo").id,
                env.ref("payment_demo.payment_method_demo").id,
            ],
            "transfer": [
                env.ref("payment.payment_provider_transfer").id,
                env.ref("payment_custom.payment_method_wire_transfer").id,
            ],
        },
        "country_id": env.ref("base.be").id,
        "reason_id": reason.id if reason else None,
    }


# --- check ---------------------------------------------------------------------


def check(env, args):
    cr = env.cr
    # The addon assigns an order when its checkout is done (its first payment
    # transaction): every order checked out in the run counts, paid or not.
    checked_out = "o.checkout_date" if args.addon else "o.create_date"
    cr.execute(
        f"""
        SELECT u.login, count(o.id)
          FROM res_users u
     LEFT JOIN sale_order o ON o.user_id = u.id AND {checked_out} >= %s
         WHERE u.login IN %s
      GROUP BY u.login ORDER BY u.login
        """,  # noqa: S608 - a column name of ours
        (args.since, SALESPEOPLE),
    )
    per_salesperson = dict(cr.fetchall())
    cr.execute(
        """
        SELECT count(*) FROM (
            SELECT sol.order_id
              FROM sale_order_line sol
              JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
              JOIN account_move_line aml ON aml.id = rel.invoice_line_id
              JOIN account_move am ON am.id = aml.move_id
             WHERE am.move_type = 'out_invoice' AND am.state != 'cancel'
               AND am.create_date >= %s
          GROUP BY sol.order_id HAVING count(DISTINCT am.id) > 1) twice
        """,
        (args.since,),
    )
    invoiced_twice = cr.fetchone()[0]
    cr.execute(
        """
        SELECT count(*) FROM (
            SELECT 1 FROM mail_message
             WHERE create_date >= %s AND message_type IN ('email', 'email_outgoing',
                   'comment') AND model IN ('sale.order', 'account.move',
                   'stock.picking') AND subject IS NOT NULL
          GROUP BY model, res_id, subject, md5(body) HAVING count(*) > 1) twice
        """,
        (args.since,),
    )
    emails_twice = cr.fetchone()[0]
    cr.execute(
        "SELECT count(*) FROM account_move WHERE move_type = 'out_invoice' "
        "AND state = 'posted' AND create_date >= %s",
        (args.since,),
    )
    invoices = cr.fetchone()[0]
    print(
        json.dumps(
            {
                "per_salesperson": per_salesperson,
                "invoiced_twice": invoiced_twice,
                "emails_twice": emails_twice,
                "invoices": invoices,
            }
        )
    )


def main():
    args = parse_args()
    env = open_env(args)
    try:
        {"generate": generate, "prepare": prepare, "check": check}[args.what](env, args)
        env.cr.commit()
    finally:
        env.cr.close()


if __name__ == "__main__":
    main()
