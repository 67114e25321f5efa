/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

import { Component, onWillStart, useState } from "@odoo/owl";
import { localization } from "@web/core/l10n/localization";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { formatFloat, formatMonetary } from "@web/views/fields/formatters";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

/**
 * The after-sale dashboard: the figures of one call of
 * website.sale.after.sale.dashboard, drawn as bars in HTML (logical CSS
 * properties: the bars grow from the reading side, right to left in Persian).
 */
export class AfterSaleDashboard extends Component {
    static template = "website_sale_order_tracking.AfterSaleDashboard";
    static props = { ...standardActionServiceProps };

    setup() {
        // The user's reading direction, also when Odoo serves its CSS unmirrored
        // (a server without rtlcss).
        this.direction = localization.direction;
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({ data: null, websiteId: false, periodDays: 90 });
        this.periods = [
            { days: 30, label: _t("Last 30 days") },
            { days: 90, label: _t("Last 90 days") },
            { days: 365, label: _t("Last 365 days") },
        ];
        onWillStart(() => this.load());
    }

    async load() {
        this.state.data = await this.orm.call(
            "website.sale.after.sale.dashboard",
            "get_dashboard_data",
            [],
            { website_id: this.state.websiteId, period_days: this.state.periodDays }
        );
    }

    onWebsiteChange(ev) {
        this.state.websiteId = parseInt(ev.target.value) || false;
        return this.load();
    }

    onPeriodChange(ev) {
        this.state.periodDays = parseInt(ev.target.value);
        return this.load();
    }

    /** Hours as hours below two days, else as days. */
    duration(hours) {
        if (hours === null || hours === undefined) {
            return "–";
        }
        if (hours < 48) {
            return _t("%s h", formatFloat(hours, { digits: [16, 1] }));
        }
        return _t("%s d", formatFloat(hours / 24, { digits: [16, 1] }));
    }

    percent(value) {
        if (value === null || value === undefined) {
            return "–";
        }
        return _t("%s%", formatFloat(value, { digits: [16, 1] }));
    }

    money(value) {
        return formatMonetary(value || 0, { currencyId: this.state.data.currency_id });
    }

    /** The width of a bar: ``value`` in percent of the largest of ``values``. */
    barWidth(value, values) {
        const max = Math.max(...values.map((v) => v || 0));
        return `${max ? Math.round((100 * (value || 0)) / max) : 0}%`;
    }

    get leadP90s() {
        return this.state.data.lead_times.map((step) => step.p90);
    }

    get weekMedians() {
        return this.state.data.weeks.map((week) => week.medians.delivery_hours);
    }

    openReport(xmlid) {
        return this.action.doAction(xmlid);
    }
}

registry
    .category("actions")
    .add("website_sale_order_tracking.after_sale_dashboard", AfterSaleDashboard);
