"""The sane bounds of what a user can log. Outside them an entry is a typo, not a meal.

They are documented in the README ("Limits") and enforced by the services, so the API, the admin and
any script get the same answer.
"""

from datetime import timedelta
from decimal import Decimal

# One intake entry: 5 kg of a single food, or 50 portions of it, is far beyond a real meal.
MAX_GRAMS = Decimal(5000)
MAX_QUANTITY = Decimal(50)
# One supplement dose: 2,000 mg elemental is almost six times the adult upper limit (350 mg) and above
# any oral product; a compound weight up to 10 g covers a spoon of powder.
MAX_ELEMENTAL_MG = Decimal(2000)
MAX_COMPOUND_MG = Decimal(10000)
# Entries may be up to a day ahead (a meal logged in advance, a traveller's clock), never more.
MAX_FUTURE = timedelta(days=1)
# The oldest entry accepted: backfilling years of records is fine, a year typo (0202) is not.
EARLIEST_YEAR = 1900
# The last year of any date or time the API takes (summaries, exports): past it a date is a typo too.
LATEST_YEAR = 2200
# A doctor-set daily target.
MIN_TARGET_MG = 10
MAX_TARGET_MG = 2000
# A summary range at most ten years long.
MAX_SUMMARY_DAYS = 3660
# A symptom lasting more than a week is recorded day by day, not as one entry.
MAX_SYMPTOM_MINUTES = 7 * 24 * 60
# A serum magnesium value in any unit: 20 (mg/dL) is far past any survivable level.
MAX_LAB_VALUE = Decimal(20)
# Insights read at most a year.
MAX_INSIGHT_WEEKS = 52
