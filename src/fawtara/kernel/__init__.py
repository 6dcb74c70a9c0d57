"""What every capability shares and nothing more: money, calendar, limits, errors,
references, the Biller record and its payment rule, bills, clocks. Standard
library (and phonenumbers) only; it imports nothing else of Fawtara.
"""
