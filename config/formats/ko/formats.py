"""How Korean pages write dates: "2026년 5월 3일", "2026년 5월 3일 18:00" (24-hour times, as the deadlines are)."""

DATE_FORMAT = "Y년 n월 j일"
DATETIME_FORMAT = "Y년 n월 j일 H:i"
SHORT_DATE_FORMAT = "Y. n. j."
SHORT_DATETIME_FORMAT = "Y. n. j. H:i"
MONTH_DAY_FORMAT = "n월 j일"
