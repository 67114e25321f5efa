# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The batch runner of the shop's scheduled jobs, shared by every job.

A job claims its records in batches (``FOR NO KEY UPDATE SKIP LOCKED``) and
commits each batch (``_run_cron_batches``); inside a batch each record that fails
is skipped, recorded and retried at the next runs (``_run_isolated``, with
``website.sale.job.failure``). Safe under a kill and two workers at once.
"""

import logging
import threading
import time

from psycopg2.errors import LockNotAvailable, SerializationFailure
from psycopg2.extensions import TransactionRollbackError

from odoo import api, models
from odoo.tools import config

from .website_sale_job_failure import get_given_up_sql

_logger = logging.getLogger(__name__)

# Conflicts with another worker a run retries before it gives up.
MAX_CLAIM_CONFLICTS = 5
# Errors of the transaction, not of the record: the whole batch is done again.
CONCURRENCY_ERRORS = (TransactionRollbackError, LockNotAvailable)
# Part of the cron worker's real-time limit one run of batches may take: a run may
# call the runner twice, and a batch started in time still has to end.
CRON_TIME_BUDGET_SHARE = 0.25


class WebsiteSaleBatchMixin(models.AbstractModel):
    _name = "website.sale.batch.mixin"
    _description = "eCommerce Batch Job"

    @api.model
    def _run_cron_batches(self, process_batch, done=0, total=None):
        """Call ``process_batch`` until it processes nothing; one commit a batch.

        ``process_batch`` claims its records with ``FOR NO KEY UPDATE SKIP LOCKED``
        and returns how many it processed: a kill loses at most the batch under way,
        which the next run does again, and two workers never claim the same record.
        Return the number of records processed, ``done`` included.
        """
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        conflicts = 0
        budget = self._get_cron_time_budget(auto_commit)
        started = time.monotonic()
        while True:
            try:
                count = process_batch()
                if count:
                    remaining = max((total or 0) - done - count, 0)
                    self.env["ir.cron"]._notify_progress(
                        done=done + count, remaining=remaining
                    )
                if auto_commit:
                    # One batch, its flags and its emails, stands or falls together.
                    self.env.cr.commit()  # pylint: disable=invalid-commit
            except SerializationFailure:
                # Another worker committed after our snapshot was taken (a batch,
                # or an email to the same customer): this batch is undone and a
                # new transaction claims what is left.
                conflicts += 1
                if not auto_commit or conflicts > MAX_CLAIM_CONFLICTS:
                    raise
                self.env.cr.rollback()
                continue
            if not count:
                return done
            done += count
            if budget is not None and time.monotonic() - started >= budget:
                return self._hand_over_to_next_run(done)

    @api.model
    def _get_cron_time_budget(self, auto_commit=True):
        """Seconds this cron run may spend on batches, or None (no limit).

        Odoo kills its cron worker when one pass over a database's jobs outlives
        ``--limit-time-real-cron`` (by default ``--limit-time-real``, 120 s): a
        run stops in time and leaves the rest to a new run of its cron.
        """
        if "wsot_cron_time_budget" in self.env.context:
            return self.env.context["wsot_cron_time_budget"]
        if not auto_commit or not self.env.context.get("cron_id"):
            return None
        limit = config["limit_time_real_cron"]
        if limit is None or limit == -1:
            limit = config["limit_time_real"]
        return limit * CRON_TIME_BUDGET_SHARE if limit and limit > 0 else None

    @api.model
    def _hand_over_to_next_run(self, done):
        """Stop this run of the cron and trigger the next, which goes on."""
        cron = self.env["ir.cron"].browse(self.env.context.get("cron_id")).sudo()
        if cron:
            # Odoo reschedules the job by its interval once this run reports all
            # done; the trigger has it run again at its worker's next poll, with
            # the worker's time limit started anew.
            self.env["ir.cron"]._notify_progress(done=done, remaining=0)
            cron._trigger()
            _logger.info(
                "%s: %s records done, the rest left to a new run", cron.name, done
            )
        return done

    @api.model
    def _claim_batch(self, job, alias, query, limit, exclude_ids=()):
        """Up to ``limit`` records of ``query`` for ``job``, locked for this worker.

        ``query`` is ``SELECT <alias>.id FROM ... WHERE ...``, made of constants
        of the code. Records the job gave up on, ``exclude_ids`` (those that
        failed in this run) and those another worker holds are left out.
        """
        given_up = get_given_up_sql(job, alias)
        self.env.flush_all()
        self.env.cr.execute(
            f"""
            {query}
               AND NOT {given_up}
               AND {alias}.id <> ALL(%s)
          ORDER BY {alias}.id
             LIMIT %s
               FOR NO KEY UPDATE OF {alias} SKIP LOCKED
            """,
            [list(exclude_ids), limit],
        )
        return self.browse(row[0] for row in self.env.cr.fetchall())

    @api.model
    def _run_isolated(self, job, records, process_one, process_all=None):
        """Process ``records`` for ``job``, each failing one alone.

        ``process_one(record)`` runs in a savepoint of its own: an error undoes
        that record's work only, is recorded, and the others go on. With
        ``process_all(records)``, the records are first processed together (a
        job's fast path), and one by one only when that fails. Errors of the
        transaction itself (serialization, deadlock, lock) are raised: the
        caller does the whole batch again. Return the records that failed.
        """
        if not records:
            return records
        failures = self.env["website.sale.job.failure"]
        if process_all:
            try:
                with self.env.cr.savepoint():
                    process_all(records)
            except CONCURRENCY_ERRORS:
                raise
            except Exception as error:  # noqa: BLE001 - done again one by one
                _logger.info(
                    "Job %s: a batch of %s records failed (%s); processing them "
                    "one by one.",
                    job,
                    len(records),
                    error,
                )
            else:
                failures._resolve(job, records)
                return records.browse()
        failed = records.browse()
        for record in records:
            try:
                with self.env.cr.savepoint():
                    process_one(record)
            except CONCURRENCY_ERRORS:
                raise
            except Exception as error:  # recorded, the job goes on
                _logger.exception("Job %s failed for %s", job, record)
                failures._record_failure(job, record, error)
                failed |= record
        failures._resolve(job, records - failed)
        return failed
