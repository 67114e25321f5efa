/** @odoo-module **/

import { registry } from "@web/core/registry";
import * as tourUtils from "@website_sale/js/tours/tour_utils";

// A customer buys with a wire transfer: the order waits in "Orders to Confirm".
registry.category("web_tour.tours").add("website_sale_order_tracking_wire_transfer", {
    test: true,
    url: "/shop",
    steps: () => [
        ...tourUtils.addToCart({ productName: "Tracked Teapot" }),
        tourUtils.goToCart({ quantity: 1 }),
        tourUtils.goToCheckout(),
        tourUtils.confirmOrder(),
        ...tourUtils.payWithTransfer(),
    ],
});
