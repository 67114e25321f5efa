from . import website_cart_reminder_report
from . import report_shipping_label
from . import report_carrier_manifest
