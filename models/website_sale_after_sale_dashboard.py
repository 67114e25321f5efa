# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The figures of the after-sale dashboard, read in one call.

Everything is read through the report models (``_read_group`` and ``_search``),
so the user's access rights and record rules apply: a salesperson sees the
figures of their own orders. Medians and 90th percentiles, which Odoo's read
group cannot aggregate, are computed by PostgreSQL's ``percentile_cont`` on the
query of the report's search.
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..report.website_sale_lead_time_report import LEAD_TIME_STEPS

DEFAULT_PERIOD_DAYS = 90
TOP_COUNT = 5


class WebsiteSaleAfterSaleDashboard(models.AbstractModel):
    _name = "website.sale.after.sale.dashboard"
    _description = "After-Sale Dashboard"

    @api.model
    def get_dashboard_data(self, website_id=None, period_days=DEFAULT_PERIOD_DAYS):
        """All the figures of the dashboard for the last ``period_days`` days
        (of ``website_id``, or of all websites)."""
        if not isinstance(period_days, int) or not 1 <= period_days <= 3660:
            period_days = DEFAULT_PERIOD_DAYS
        if not isinstance(website_id, int) or isinstance(website_id, bool):
            website_id = None
        since = fields.Datetime.now() - timedelta(days=period_days)
        website = [("website_id", "=", website_id)] if website_id else []
        return {
            "period_days": period_days,
            "currency_id": self.env.company.currency_id.id,
            "websites": [
                {"id": w.id, "name": w.name} for w in self.env["website"].search([])
            ],
            "website_id": website_id or False,
            "lead_times": self._get_lead_times(
                [*website, ("checkout_date", ">=", since)]
            ),
            "weeks": self._get_weekly_lead_times(
                [*website, ("checkout_date", ">=", since)]
            ),
            "on_time": self._get_on_time([*website, ("checkout_date", ">=", since)]),
            "unpaid": self._get_unpaid_ages(website),
            "returns": self._get_returns([*website, ("date", ">=", since)]),
            "cart_reminders": self._get_cart_reminders(
                [*website, ("date", ">=", since), ("reminder_count", ">", 0)]
            ),
        }

    def _percentiles_sql(self, column):
        return SQL(
            "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(c)s), "
            "percentile_cont(0.9) WITHIN GROUP (ORDER BY %(c)s), COUNT(%(c)s)",
            c=SQL.identifier(column),
        )

    def _select_rows(self, model, domain, columns):
        """The rows of ``model`` the user may read within ``domain``, as a
        sub-query of ``columns``."""
        query = model._search(domain)
        return query.select(
            *(SQL.identifier(query.table, column) for column in columns)
        )

    def _get_lead_times(self, domain):
        report = self.env["website.sale.lead.time.report"]
        steps = list(LEAD_TIME_STEPS)
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM (%s) rows",
                SQL(", ").join(self._percentiles_sql(step) for step in steps),
                self._select_rows(report, domain, steps),
            )
        )
        row = self.env.cr.fetchone()
        return [
            {
                "step": step,
                "label": report._fields[step].get_description(self.env)["string"],
                "median": row[3 * index],
                "p90": row[3 * index + 1],
                "count": row[3 * index + 2],
            }
            for index, step in enumerate(steps)
        ]

    def _get_weekly_lead_times(self, domain):
        report = self.env["website.sale.lead.time.report"]
        steps = list(LEAD_TIME_STEPS)
        self.env.cr.execute(
            SQL(
                "SELECT date_trunc('week', checkout_date)::date, COUNT(*), %s "
                "FROM (%s) rows GROUP BY 1 ORDER BY 1",
                SQL(", ").join(
                    SQL(
                        "percentile_cont(0.5) WITHIN GROUP (ORDER BY %s)",
                        SQL.identifier(step),
                    )
                    for step in steps
                ),
                self._select_rows(report, domain, ["checkout_date", *steps]),
            )
        )
        return [
            {
                "week": fields.Date.to_string(row[0]),
                "count": row[1],
                "medians": dict(zip(steps, row[2:], strict=True)),
            }
            for row in self.env.cr.fetchall()
        ]

    def _get_on_time(self, domain):
        [(on_time, late)] = self.env["website.sale.lead.time.report"]._read_group(
            domain, [], ["on_time_count:sum", "late_count:sum"]
        )
        on_time, late = on_time or 0, late or 0
        return {
            "on_time": on_time,
            "late": late,
            "rate": 100.0 * on_time / (on_time + late) if on_time + late else None,
        }

    def _get_unpaid_ages(self, domain):
        report = self.env["website.sale.unpaid.report"]
        groups = {
            bucket: (count, amount)
            for bucket, count, amount in report._read_group(
                domain, ["age_bucket"], ["__count", "amount_total:sum"]
            )
        }
        return [
            {
                "bucket": bucket,
                "label": label,
                "count": groups.get(bucket, (0, 0.0))[0],
                "amount": groups.get(bucket, (0, 0.0))[1],
            }
            for bucket, label in report._fields["age_bucket"]._description_selection(
                self.env
            )
        ]

    def _get_returns(self, domain):
        report = self.env["website.sale.return.report"]
        [(delivered, returned, refunded)] = report._read_group(
            domain, [], ["delivered_qty:sum", "returned_qty:sum", "refunded_amount:sum"]
        )
        refund_times = self._get_refund_times(domain)
        return {
            "delivered": delivered or 0.0,
            "returned": returned or 0.0,
            "rate": _rate(returned, delivered),
            "refunded_amount": refunded or 0.0,
            "refund_median_hours": refund_times[0],
            "refund_p90_hours": refund_times[1],
            "refund_count": refund_times[2],
            "by_product": self._get_return_rates(domain, "product_id"),
            "by_category": self._get_return_rates(domain, "categ_id"),
            "by_reason": [
                {
                    "name": reason.display_name,
                    "returned": qty,
                    "rate": _rate(qty, delivered),
                }
                for reason, qty in report._read_group(
                    [*domain, ("kind", "=", "returned")],
                    ["reason_id"],
                    ["returned_qty:sum"],
                    order="returned_qty:sum desc",
                )
            ],
        }

    def _get_refund_times(self, domain):
        """Median, 90th percentile and count of the hours from a return request
        to its refund: once a request, however many lines it has."""
        report = self.env["website.sale.return.report"]
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM (SELECT DISTINCT request_id, refund_hours "
                "FROM (%s) r) rows",
                self._percentiles_sql("refund_hours"),
                self._select_rows(
                    report,
                    [*domain, ("kind", "=", "returned"), ("refund_hours", "!=", False)],
                    ["request_id", "refund_hours"],
                ),
            )
        )
        return self.env.cr.fetchone()

    def _get_return_rates(self, domain, groupby):
        """The ``TOP_COUNT`` products (or categories) most returned, by rate."""
        rates = [
            {
                "name": record.display_name,
                "delivered": delivered or 0.0,
                "returned": returned or 0.0,
                "rate": _rate(returned, delivered),
            }
            for record, delivered, returned in self.env[
                "website.sale.return.report"
            ]._read_group(
                [*domain, (groupby, "!=", False)],
                [groupby],
                ["delivered_qty:sum", "returned_qty:sum"],
                having=[("returned_qty:sum", ">", 0)],
            )
        ]
        rates.sort(key=lambda r: (-(r["rate"] or 0.0), -r["returned"], r["name"]))
        return rates[:TOP_COUNT]

    def _get_cart_reminders(self, domain):
        """The abandoned-cart report's figures by last step sent, when the user
        may read it (Sales managers)."""
        report = self.env["website.cart.reminder.report"]
        if not report.has_access("read"):
            return False
        steps = [
            {
                "step": step,
                "reminded": count,
                "recovered": recovered or 0,
                "revenue": revenue or 0.0,
            }
            for step, count, recovered, revenue in report._read_group(
                domain,
                ["last_step"],
                ["__count", "recovered_count:sum", "recovered_amount:sum"],
                order="last_step",
            )
        ]
        return {
            "reminded": sum(s["reminded"] for s in steps),
            "recovered": sum(s["recovered"] for s in steps),
            "revenue": sum(s["revenue"] for s in steps),
            "steps": steps,
        }


def _rate(part, whole):
    """``part`` in percent of ``whole``, None without a whole."""
    return 100.0 * (part or 0.0) / whole if whole else None
