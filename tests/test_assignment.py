# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import functools
import threading
import time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.service.model import retrying
from odoo.tests import tagged

from .common import CronWorkersCase, WebOrderTrackingCommon


@tagged("post_install", "-at_install")
class TestAssignment(WebOrderTrackingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.website.write({"salesteam_id": cls.team.id, "salesperson_id": False})

    def test_native_mode_changes_nothing(self):
        self.customer.partner_id.user_id = self.salesman_3
        order = self._waiting_order()
        self.assertEqual(order.user_id, self.salesman_3, "Odoo's own choice stays")
        self.assertFalse(
            order.tracking_event_ids.filtered(lambda e: e.event_type == "assigned")
        )
        self.assertEqual(self.team.website_assignment_counter, 0)

    def test_fixed_salesperson(self):
        self.customer.partner_id.user_id = self.salesman_3
        self.website.write(
            {"order_assignment_mode": "fixed", "salesperson_id": self.salesman_2.id}
        )
        order = self._waiting_order()
        self.assertEqual(order.user_id, self.salesman_2)
        self.assertEqual(order.team_id, self.team)

    def test_round_robin_serves_members_in_turn(self):
        self.website.order_assignment_mode = "round_robin"
        users = [self._waiting_order().user_id for _index in range(3)]
        self.assertEqual(users, [self.salesman_1, self.salesman_2, self.salesman_1])
        self.assertEqual(self.team.website_assignment_counter, 3)

    def test_round_robin_skips_archived_members(self):
        self.website.order_assignment_mode = "round_robin"
        self.salesman_1.active = False
        users = {self._waiting_order().user_id for _index in range(2)}
        self.assertEqual(users, {self.salesman_2})

    def test_customer_salesperson_kept(self):
        self.website.write(
            {"order_assignment_mode": "customer", "salesperson_id": self.salesman_1.id}
        )
        self.company_customer.user_id = self.salesman_3
        self.assertEqual(
            self._waiting_order(self.company_contact).user_id, self.salesman_3
        )
        self.assertEqual(
            self._waiting_order(self.customer).user_id,
            self.salesman_1,
            "without a salesperson of their own, the website's one",
        )

    def test_rules_by_customer_type_and_country_group(self):
        b2b_team = self.env["crm.team"].create(
            {"name": "B2B", "member_ids": [Command.set(self.salesman_3.ids)]}
        )
        iran_team = self.env["crm.team"].create(
            {"name": "Iran", "member_ids": [Command.set(self.salesman_2.ids)]}
        )
        group = self.env["res.country.group"].create(
            {"name": "Iran Only", "country_ids": [Command.set(self.country_ir.ids)]}
        )
        self.website.order_assignment_mode = "round_robin"
        self.env["website.order.assignment.rule"].create(
            [
                {
                    "website_id": self.website.id,
                    "sequence": 1,
                    "customer_type": "company",
                    "team_id": b2b_team.id,
                },
                {
                    "website_id": self.website.id,
                    "sequence": 2,
                    "customer_type": "individual",
                    "country_group_id": group.id,
                    "team_id": iran_team.id,
                },
            ]
        )
        b2b_order = self._waiting_order(self.company_contact)
        self.assertEqual(
            (b2b_order.team_id, b2b_order.user_id), (b2b_team, self.salesman_3)
        )
        iran_order = self._waiting_order(self.customer)
        self.assertEqual(
            (iran_order.team_id, iran_order.user_id), (iran_team, self.salesman_2)
        )
        self.customer_2.partner_id.country_id = self.country_us
        other = self._waiting_order(self.customer_2)
        self.assertEqual(
            other.team_id, self.team, "no rule matches: the website's team"
        )

    def test_rules_apply_in_native_mode(self):
        b2b_team = self.env["crm.team"].create({"name": "B2B"})
        self.env["website.order.assignment.rule"].create(
            {
                "website_id": self.website.id,
                "customer_type": "company",
                "team_id": b2b_team.id,
            }
        )
        self.assertEqual(self._waiting_order(self.company_contact).team_id, b2b_team)

    def test_assigned_at_checkout_only_and_once(self):
        self.website.order_assignment_mode = "round_robin"
        cart = self._make_cart(self.customer)
        cart._cart_update(product_id=self.product_2.id, add_qty=1)
        self.assertEqual(
            self.team.website_assignment_counter, 0, "cart updates assign nothing"
        )
        self.assertFalse(cart.user_id)
        self._checkout(cart, self.provider_demo, self.method_demo)
        self._checkout(cart, self.provider_transfer)  # the customer tries another way
        self.assertEqual(self.team.website_assignment_counter, 1)
        self.assertEqual(cart.user_id, self.salesman_1)

    def test_assignment_written_in_chatter(self):
        self.website.order_assignment_mode = "round_robin"
        order = self._waiting_order()
        notes = order.message_ids.filtered(
            lambda m: "Web order assigned" in (m.body or "")
        )
        self.assertEqual(len(notes), 1)
        self.assertIn(self.salesman_1.name, notes.body)
        self.assertIn(self.team.name, notes.body)

    def test_modes_need_their_team_or_salesperson(self):
        with self.assertRaises(ValidationError):
            self.website_2.write(
                {"order_assignment_mode": "round_robin", "salesteam_id": False}
            )
        with self.assertRaises(ValidationError):
            self.website_2.write(
                {"order_assignment_mode": "fixed", "salesperson_id": False}
            )
        self.assertEqual(self.website_2.order_assignment_mode, "native")

    def _checkout_done_queries(self):
        """Queries of the checkout step of a cart (its transaction's creation)."""
        order = self._make_cart(self.customer)
        self.env.flush_all()
        before = self.cr.sql_log_count
        order._action_checkout_done()
        self.env.flush_all()
        return self.cr.sql_log_count - before

    def test_assignment_costs_at_most_three_queries(self):
        """Round-robin adds at most 3 queries to checkout: counter and members in
        one, the salesperson on the lines, the chatter note; the order's own columns
        go in the UPDATE that marks its checkout."""
        self.website.order_assignment_mode = "round_robin"
        self._checkout_done_queries()  # warm the caches
        round_robin = self._checkout_done_queries()
        self.website.order_assignment_mode = "native"
        native = self._checkout_done_queries()
        self.assertLessEqual(
            round_robin - native, 3, f"native {native}, round-robin {round_robin}"
        )


@tagged("post_install", "-at_install")
class TestRoundRobinConcurrency(CronWorkersCase):
    """Two checkouts at once, each in its own transaction, as two workers run them."""

    def _create_data(self, env):
        users = env["res.users"].create(
            [
                {"name": f"Concurrent {index}", "login": f"wsot_concurrent_{index}"}
                for index in range(2)
            ]
        )
        team = env["crm.team"].create(
            {"name": "Concurrent Team", "member_ids": [Command.set(users.ids)]}
        )
        return {"team": team.id, "users": users.ids}

    def _remove_data(self, env):
        env["crm.team"].browse(self.ids["team"]).unlink()
        env["res.users"].browse(self.ids["users"]).unlink()

    def test_two_workers_never_get_the_same_member(self):
        team_id = self.ids["team"]
        started = threading.Barrier(2)
        results = []

        def next_user(env):
            user = env["crm.team"].browse(team_id)._next_round_robin_user()
            time.sleep(0.5)  # keep the row locked while the other worker asks
            return user.id

        def checkout(env):
            # As Odoo serves a request: retried on a serialization failure.
            started.wait(timeout=10)
            results.append(retrying(functools.partial(next_user, env), env))

        self.assertFalse(self._run_workers(checkout))
        self.assertCountEqual(results, self.ids["users"])
