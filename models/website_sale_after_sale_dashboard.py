# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The figures of the after-sale dashboard, read in one call.

Everything is read through the report models (``_read_group`` and ``_search``),
so the user's access rights and record rules apply: a salesperson sees the
figures of their own orders. Medians and 90th percentiles, which Odoo's read
group cannot aggregate, are computed by PostgreSQL's ``percentile_cont`` on the
query of the report's search.

The dashboard's queries are compiled without PostgreSQL's JIT: on a year of
orders their plans cost more than its threshold, and compiling them took longer
than it saved (see README, after-sale analytics).
"""

from contextlib import contextmanager
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..report.website_sale_lead_time_report import LEAD_TIME_STEPS

DEFAULT_PERIOD_DAYS = 90
TOP_COUNT = 5
# The return report's columns the return figures read, and their one read: the
# rows summed by the few keys the figures need, then each figure of these sums.
RETURN_REPORT_COLUMNS = [
    "kind",
    "product_id",
    "reason_id",
    "request_id",
    "refund_hours",
    "delivered_qty",
    "returned_qty",
    "refunded_amount",
]
RETURN_FIGURES_SQL = """
WITH sums AS MATERIALIZED (
    SELECT kind, product_id, reason_id, request_id, refund_hours,
           SUM(delivered_qty) AS delivered,
           SUM(returned_qty) AS returned,
           SUM(refunded_amount) AS refunded
      FROM (%(rows)s) rows
     GROUP BY kind, product_id, reason_id, request_id, refund_hours
)
SELECT 'total', NULL, COALESCE(SUM(delivered), 0),
       COALESCE(SUM(returned), 0), COALESCE(SUM(refunded), 0),
       NULL::float, NULL::float, NULL::bigint
  FROM sums
 UNION ALL
SELECT 'product', product_id, SUM(delivered), SUM(returned),
       SUM(refunded), NULL, NULL, NULL
  FROM sums
 WHERE product_id IS NOT NULL
 GROUP BY product_id
 UNION ALL
SELECT 'category', pt.categ_id, SUM(sums.delivered),
       SUM(sums.returned), SUM(sums.refunded), NULL, NULL, NULL
  FROM sums
  JOIN product_product pp ON pp.id = sums.product_id
  JOIN product_template pt ON pt.id = pp.product_tmpl_id
 WHERE pt.categ_id IS NOT NULL
 GROUP BY pt.categ_id
 UNION ALL
SELECT 'reason', reason_id, 0, SUM(returned), 0, NULL, NULL, NULL
  FROM sums
 WHERE kind = 'returned'
 GROUP BY reason_id
 UNION ALL
SELECT 'refund', NULL, 0, 0, 0, %(percentiles)s
  FROM (SELECT DISTINCT request_id, refund_hours
          FROM sums
         WHERE kind = 'returned' AND refund_hours <> 0) requests
"""


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
        with self._without_jit():
            return {
                "period_days": period_days,
                "currency_id": self.env.company.currency_id.id,
                "websites": [
                    {"id": w.id, "name": w.name} for w in self.env["website"].search([])
                ],
                "website_id": website_id or False,
                **self._get_lead_time_figures(
                    [*website, ("checkout_date", ">=", since)]
                ),
                "unpaid": self._get_unpaid_ages(website),
                "returns": self._get_returns([*website, ("date", ">=", since)]),
                "cart_reminders": self._get_cart_reminders(
                    [*website, ("date", ">=", since), ("reminder_count", ">", 0)]
                ),
            }

    @contextmanager
    def _without_jit(self):
        """PostgreSQL's JIT off in this transaction while the dashboard reads,
        then as it was. Compiling the expressions of a year's reads cost 30 to
        70 ms a query (on 100,000 orders) and saved less: JIT pays on queries of
        seconds. After an error the transaction is rolled back, which restores
        it anyway."""
        [(jit,)] = self.env.execute_query(SQL("SELECT current_setting('jit')"))
        self.env.execute_query(SQL("SELECT set_config('jit', 'off', true)"))
        yield
        self.env.execute_query(SQL("SELECT set_config('jit', %s, true)", jit))

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

    def _get_lead_time_figures(self, domain):
        """The lead times of the period (median, 90th percentile and count a
        step), their medians by week of checkout and the on-time shipping, in one
        pass over the report (grouping sets: the week's rows, then the period's).
        """
        report = self.env["website.sale.lead.time.report"]
        steps = list(LEAD_TIME_STEPS)
        # The period's row comes first (GROUPING 1), then the weeks in order.
        period, *weeks = self._get_lead_time_rows(report, domain, steps)
        on_time, late = period[3] or 0, period[4] or 0
        return {
            "lead_times": [
                {
                    "step": step,
                    "label": report._fields[step].get_description(self.env)["string"],
                    "median": period[5 + 3 * index],
                    "p90": period[6 + 3 * index],
                    "count": period[7 + 3 * index],
                }
                for index, step in enumerate(steps)
            ],
            "weeks": [
                {
                    "week": fields.Date.to_string(row[1]),
                    "count": row[2],
                    "medians": {
                        step: row[5 + 3 * index] for index, step in enumerate(steps)
                    },
                }
                for row in weeks
            ],
            "on_time": {
                "on_time": on_time,
                "late": late,
                "rate": 100.0 * on_time / (on_time + late) if on_time + late else None,
            },
        }

    def _get_lead_time_rows(self, report, domain, steps):
        return self.env.execute_query(
            SQL(
                "SELECT GROUPING(date_trunc('week', checkout_date)), "
                "date_trunc('week', checkout_date)::date, COUNT(*), "
                "SUM(on_time_count), SUM(late_count), %s "
                "FROM (%s) rows "
                "GROUP BY GROUPING SETS ((date_trunc('week', checkout_date)), ()) "
                "ORDER BY 1 DESC, 2",
                SQL(", ").join(self._percentiles_sql(step) for step in steps),
                self._select_rows(
                    report,
                    domain,
                    ["checkout_date", "on_time_count", "late_count", *steps],
                ),
            )
        )

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
        figures = self._get_return_figures(domain)
        delivered, returned, refunded = figures["total"][None]
        reasons = self.env["sale.return.reason"]
        median, p90, count = figures["refund"]
        return {
            "delivered": delivered,
            "returned": returned,
            "rate": _rate(returned, delivered),
            "refunded_amount": refunded,
            "refund_median_hours": median,
            "refund_p90_hours": p90,
            "refund_count": count,
            "by_product": self._top_return_rates(
                self.env["product.product"], figures["product"]
            ),
            "by_category": self._top_return_rates(
                self.env["product.category"], figures["category"]
            ),
            "by_reason": [
                {
                    "name": reasons.browse(reason_id).display_name,
                    "returned": qty,
                    "rate": _rate(qty, delivered),
                }
                for reason_id, (__, qty, __) in sorted(
                    figures["reason"].items(), key=lambda item: -item[1][1]
                )
            ],
        }

    def _get_return_figures(self, domain):
        """The return figures of the report's rows within ``domain``, in one read
        of the report: the delivered and returned quantities and the refunded
        amounts in all, by product and by category, the returned quantities by
        reason (of the rows of return requests) and the median, 90th percentile
        and count of the hours from a return request to its refund (once a
        request, however many lines it has).

        The report's rows are first summed by the few keys the figures need (a
        row a product for the delivered lines): the figures are read from these
        sums, and the product's category is joined to them, not to each line.
        Returns {part: {id: (delivered, returned, refunded)}}, and the refund's
        (median, p90, count) as ``refund``."""
        rows = self.env.execute_query(
            SQL(
                RETURN_FIGURES_SQL,
                rows=self._select_rows(
                    self.env["website.sale.return.report"],
                    domain,
                    RETURN_REPORT_COLUMNS,
                ),
                percentiles=self._percentiles_sql("refund_hours"),
            )
        )
        figures = {"product": {}, "category": {}, "reason": {}}
        for part, id_, delivered, returned, refunded, *refund in rows:
            if part == "refund":
                figures["refund"] = tuple(refund)
            else:
                figures.setdefault(part, {})[id_] = (delivered, returned, refunded)
        return figures

    def _top_return_rates(self, model, sums):
        """The ``TOP_COUNT`` records of ``model`` (products or categories) most
        returned, by rate, of ``sums`` {id: (delivered, returned, refunded)}."""
        records = model.browse([id_ for id_, (__, ret, __) in sums.items() if ret > 0])
        rates = [
            {
                "name": record.display_name,
                "delivered": sums[record.id][0],
                "returned": sums[record.id][1],
                "rate": _rate(sums[record.id][1], sums[record.id][0]),
            }
            for record in records.sudo()
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
