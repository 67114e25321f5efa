from . import test_tracking_stage
from . import test_assignment
from . import test_timeline
from . import test_manual_confirmation
from . import test_settings
from . import test_tour_checkout
from . import test_i18n
from . import test_invoicing_policy
