from . import website_cart_reminder_report
from . import report_shipping_label
from . import report_carrier_manifest
from . import website_sale_lead_time_report
from . import website_sale_return_report
from . import website_sale_unpaid_report
